import { createEngine } from '../src/index.js';
const e = await createEngine();
console.log(await e.classify({ text: 'stocks fell', labels: ['Business', 'Sports'] }));
await e.close();
