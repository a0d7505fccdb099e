import { DocumentReader, type DocumentOptions, type LoadedDocuments } from '../documents/index.js';
import { noReadableText } from '../errors.js';
import type { NormalizedRequest } from '../schema/index.js';

/** The classification input once documents are read: text to embed and its visual tokens. */
export interface ReadInput {
  text: string;
  visualTokens: number;
}

/**
 * Spec §8 inside the engine: `image` and `file` are loaded (validated, downloaded, hashed)
 * before the cache lookup — their hash is part of the key — and only read (PDF text, OCR) on
 * a miss, so a cache hit never pays for OCR.
 */
export class DocumentStep {
  readonly #reader: DocumentReader;

  constructor(options?: Partial<DocumentOptions>) {
    this.#reader = new DocumentReader(options);
  }

  /** Loads the request's documents; `undefined` when it has none. */
  async load(req: NormalizedRequest, signal?: AbortSignal): Promise<LoadedDocuments | undefined> {
    if (!req.image && !req.file) return undefined;
    return this.#reader.load({ image: req.image, file: req.file }, signal);
  }

  /** The request's own text followed by what its documents yield (blank line between). */
  async read(loaded: LoadedDocuments | undefined, text: string | undefined, signal?: AbortSignal): Promise<ReadInput> {
    if (!loaded) return { text: text ?? '', visualTokens: 0 };
    // The reader bounds concurrent reads (documents.workers + documents.maxQueue → OVERLOADED).
    const extracted = await this.#reader.extract(loaded, signal);
    const joined = joinText(text ?? '', extracted.text);
    if (!joined) throw noReadableText();
    return { text: joined, visualTokens: extracted.visualTokens };
  }

  /** Terminates the document worker threads and the OCR worker thread. */
  close(): Promise<void> {
    return this.#reader.close();
  }
}

/** The request's text followed by its documents' text, a blank line between (either may be empty). */
export function joinText(text: string, documentText: string): string {
  return [text.trim(), documentText.trim()].filter(Boolean).join('\n\n');
}
