/** Piscina entry of the batch lane: the inference worker, on a thread of the lowest CPU priority. */
import './worker-priority.js'; // first: see there
export { default, runTask } from './worker.js';
