/**
 * Imported first by the document worker (`worker.ts`): ES modules evaluate their imports in
 * order, so the thread drops to the lowest CPU priority before mammoth, pdfjs and the canvas
 * load — even a thread's start-up (a replacement for a worker ended over its budget) yields
 * the cores to the caller's thread and the inference workers.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

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

lowerPriority();
