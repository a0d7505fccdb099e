// The default model runs through the same Embedder contract as the HF backend
// (test/model/hf-model.test.ts): same checks, same pooled implementation the engine builds.
import { fileURLToPath } from 'node:url';
import { loadUseLite } from '../../src/model/use-lite/index.js';
import { embedderContract } from '../support/embedder-contract.js';
import { pooledEmbedder } from '../support/pooled.js';

/** The engine's default model cache, so the converted model is shared with the other test files. */
const cacheDir = process.env.LABELWISE_CACHE_DIR ?? fileURLToPath(new URL('../../models/.cache', import.meta.url));

embedderContract('use-lite (default model)', async () => pooledEmbedder(await loadUseLite(cacheDir)));
