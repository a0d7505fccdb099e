/**
 * The work of a document worker thread (loaded by `worker-entry.ts`): parses, renders and
 * normalises one file or image per task, off the caller's thread. pdfjs starts loading when the thread starts, and a task waits
 * for it before it reports itself started, so the import is not charged to a document's budget.
 * (Not a top-level await: tsx, which runs this file in tests, cannot load it then.)
 */
import './worker-priority.js'; // first: see there
import { isLabelwiseError, textTooLong } from '../errors.js';
import { extractDocx } from './docx.js';
import { prepareImage } from './image.js';
import { loadPdfJs, readPdf } from './pdf.js';
import type { PartResult, PartTask, PartValue } from './protocol.js';

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
    if (isLabelwiseError(err)) return { ok: false, error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
    throw err;
  }
}

/** A file's text over the limit is refused here, before megabytes of it cross to the caller. */
function checkLength(chars: number, max: number): void {
  if (chars > max) throw textTooLong('file', max);
}

