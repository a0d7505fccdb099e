/**
 * Piscina entry of the document pool: parses, renders and normalises one file or image per
 * task, off the caller's thread. pdfjs starts loading when the thread starts, and a task waits
 * for it before it reports itself started, so the import is not charged to a document's budget.
 * (Not a top-level await: tsx, which runs this file in tests, cannot load it then.)
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { LabelwiseError } from '../errors.js';
import { extractDocx } from './docx.js';
import { prepareImage } from './image.js';
import { loadPdfJs, readPdf } from './pdf.js';
import type { PartResult, PartTask, PartValue } from './protocol.js';

lowerPriority();
const ready = loadPdfJs().then(() => undefined, () => undefined); // a failed load is reported by readPdf

export default async function readPart(task: PartTask): Promise<PartResult> {
  await ready;
  task.started.postMessage('started');
  task.started.close();
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  try {
    let value: PartValue;
    if (task.kind === 'pdf') {
      const pdf = await readPdf(task.bytes, task.maxPages, task.render);
      checkLength(pdf.pages.reduce((sum, p) => sum + p.text.length, 0), task.maxTextChars);
      value = pdf;
    } else if (task.kind === 'docx') {
      const docx = await extractDocx(bytes, task.maxPages);
      checkLength(docx.text.length, task.maxTextChars);
      value = docx;
    } else {
      value = await prepareImage(bytes, task.field, task.forOcr);
    }
    return { ok: true, value };
  } catch (err) {
    if (err instanceof LabelwiseError) return { ok: false, error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
    throw err;
  }
}

/** A file's text over the limit is refused here, before megabytes of it cross to the caller. */
function checkLength(chars: number, max: number): void {
  if (chars > max) throw new LabelwiseError('DOCUMENT_ERROR', `file holds more than ${max} characters of text`, { field: 'file' });
}

/**
 * Runs this thread at the lowest CPU priority (nice 19), so a document that keeps its worker
 * busy yields the cores to the caller's thread and the inference workers: a hostile file then
 * slows other documents, not text requests. Linux only (a thread's id is a valid target of
 * setpriority there); elsewhere the thread keeps the process's priority.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // not Linux, or not allowed: keep the default priority
  }
}
