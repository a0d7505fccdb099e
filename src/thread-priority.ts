/**
 * Lowering a worker thread's CPU priority, shared by the document workers and the batch-lane
 * inference workers. A leaf module (Node built-ins only), so both layers may import it.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Runs the calling thread at the lowest CPU priority (nice 19). Linux only (a thread's id is a
 * valid target of setpriority there); elsewhere the thread keeps the process's priority.
 */
export function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // not Linux, or not allowed: keep the default priority
  }
}
