import { subscribe } from 'node:diagnostics_channel';
import { MODEL_CHANNEL, type ModelEvent } from '../model/use-lite/index.js';

let subscribed = false;

/**
 * Tells the user on stderr why the first run pauses: the default model is converted to ONNX
 * once, then cached. One line, started before the work and finished with its timings.
 */
export function noteModelConversion(): void {
  if (subscribed) return;
  subscribed = true;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  subscribe(MODEL_CHANNEL, (message) => {
    const e = message as ModelEvent;
    if (e.event === 'convert:start') {
      process.stderr.write(`labelwise: first run: converting the default model to ONNX, cached for next time in ${e.path} …`);
    } else if (e.event === 'convert:end') {
      process.stderr.write(` done in ${s(e.ms.total)} (read ${s(e.ms.read)}, convert ${s(e.ms.convert)}, write ${s(e.ms.write)})\n`);
    }
  });
}
