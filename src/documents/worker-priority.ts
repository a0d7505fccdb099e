/**
 * Imported first by the document worker (`worker.ts`): ES modules evaluate their imports in
 * order, so the thread drops to the lowest CPU priority before mammoth, pdfjs and the canvas
 * load — even a thread's start-up (a replacement for a worker ended over its budget) yields
 * the cores to the caller's thread and the inference workers.
 */
import { lowerThreadPriority } from '../thread-priority.js';

lowerThreadPriority();
