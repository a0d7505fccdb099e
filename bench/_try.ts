import { throughput } from './throughput.js';
console.log(JSON.stringify(await throughput(), null, 1));
