/**
 * Messages between the document pool (caller's thread) and its worker threads.
 */
import type { MessagePort } from 'node:worker_threads';
import type { DocxText } from './docx.js';
import type { PreparedImage } from './image.js';
import type { PdfRead } from './pdf.js';

/** What one task reads: the file (PDF or DOCX) or one image. */
export type PartJob =
  | { kind: 'pdf'; maxPages: number; maxTextChars: number; render: boolean }
  | { kind: 'docx'; maxPages: number; maxTextChars: number }
  | { kind: 'image'; field: string; forOcr: boolean };

export type PartTask = PartJob & {
  /** The part's bytes, the worker's own copy (transferred). */
  bytes: Uint8Array;
  /** The worker posts one message here the moment it starts the task: the budget starts then. */
  started: MessagePort;
};

export type PartValue = PdfRead | DocxText | PreparedImage;

/**
 * A worker's answer. A `LabelwiseError` does not survive structured cloning as itself, so the
 * worker sends its parts and the pool rebuilds it.
 */
export type PartResult =
  | { ok: true; value: PartValue }
  | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };
