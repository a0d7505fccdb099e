/**
 * Imported first by the batch-lane worker (`batch-worker.ts`): ES modules evaluate their imports
 * in order, so the thread drops to the lowest CPU priority before onnxruntime loads and before
 * any thread it starts (Linux threads inherit their creator's nice value).
 *
 * Why this is enough for a lane: with one intra-op thread, onnxruntime computes on the worker
 * thread itself (`session.run` is synchronous inside the worker), so the kernel's scheduler gives
 * a real-time worker (nice 0) nearly a whole core whenever it has work (weight 1024 against 15),
 * and a batch-lane worker every cycle left idle. Measured (bench/lanes.ts, 2 cores, batch lane
 * saturated): a real-time single embed's p50 rose 1.07× with this module, 5.75× without it.
 */
import { lowerThreadPriority } from '../thread-priority.js';

lowerThreadPriority();
