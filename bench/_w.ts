import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
const path = fileURLToPath(new URL('./_w2.ts', import.meta.url));
const w = new Worker(`require(${JSON.stringify(path)})`, { eval: true, execArgv: ['--import', 'tsx'] });
await new Promise((res) => { w.on('message', (m) => { console.log(m); res(0); }); w.on('error', (e) => { console.log('ERR', e.message); res(0); }); });
await w.terminate();
