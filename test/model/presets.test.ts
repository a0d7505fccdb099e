// The preset table and the text prefix a preset puts before every sequence.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHfModel } from '../../src/model/hf/index.js';
import { PRESETS, resolvePreset } from '../../src/model/hub/index.js';
import { pooledEmbedder } from '../support/pooled.js';
import { TINY_VOCAB, writeTinyHfModel } from '../support/tiny-hf-model.js';

const root = await mkdtemp(join(tmpdir(), 'labelwise-presets-'));
const dir = join(root, 'tiny');
await writeTinyHfModel(dir);
afterAll(() => rm(root, { recursive: true, force: true }));

describe('model presets', () => {
  it('pins every file by SHA-256 and size, and pairs every fp32 preset with its -int8 export', () => {
    for (const p of Object.values(PRESETS)) {
      for (const f of [p.files.tokenizer, p.files.onnx]) {
        expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(f.size).toBeGreaterThan(0);
      }
      expect(p.files.onnx.localPath).toBe('onnx/model.onnx');
      expect(p.files.onnx.hubPath).toBe(p.dtype === 'int8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx');
      expect(p.repo).toMatch(/^Xenova\//);
      if (p.dtype === 'fp32') expect(PRESETS[`${p.name}-int8` as keyof typeof PRESETS]).toMatchObject({ repo: p.repo, pooling: p.pooling, prefix: p.prefix, dtype: 'int8' });
    }
    // What each model was trained with: bge pools [CLS], e5 and MiniLM mean-pool; e5 wants "query: ".
    expect(PRESETS['bge-small-en-v1.5']).toMatchObject({ pooling: 'cls', prefix: '', licence: 'MIT' });
    expect(PRESETS['e5-small-v2']).toMatchObject({ pooling: 'mean', prefix: 'query: ', licence: 'MIT' });
    expect(PRESETS['all-minilm-l6-v2']).toMatchObject({ pooling: 'mean', prefix: '', licence: 'Apache-2.0', maxTokens: 256 });
  });

  it('resolves names exactly and suggests the closest for a near miss', () => {
    expect(resolvePreset('e5-small-v2-int8').name).toBe('e5-small-v2-int8');
    expect(() => resolvePreset('all-MiniLM-L6-v2')).toThrow(/did you mean "all-minilm-l6-v2"/);
    expect(() => resolvePreset('gpt-5')).toThrow(/^unknown model "gpt-5" Known models: use-lite, /);
    expect(() => resolvePreset('constructor')).toThrow(/unknown model/); // not an Object.prototype key
  });
});

describe('text prefix (hf-onnx backend)', () => {
  const id = (t: string) => TINY_VOCAB.indexOf(t);

  it('goes after the leading specials of every window and is not billed as the caller’s tokens', async () => {
    const plain = await loadHfModel(dir);
    const prefixed = await loadHfModel(dir, { prefix: 'topic: ' });
    expect(plain.specials).toEqual({ prefix: [id('[CLS]')], suffix: [id('[SEP]')] });
    expect(prefixed.specials).toEqual({ prefix: [id('[CLS]'), id('topic'), id(':')], suffix: [id('[SEP]')] });
    expect(prefixed.tokenizer.encode('the cat')).toEqual(plain.tokenizer.encode('the cat'));
    const embedder = pooledEmbedder(prefixed);
    const base = pooledEmbedder(plain);
    try {
      const [a] = await embedder.embed(['the cat']);
      const [b] = await base.embed(['the cat']);
      expect(a.tokens).toBe(2);
      // The prefix changes the vector (the tiny encoder mixes in the sequence mean).
      expect(Math.abs(a.vector.reduce((s, x, i) => s + x * b.vector[i], 0))).toBeLessThan(0.99999);
    } finally {
      await Promise.all([embedder.close(), base.close()]);
    }
  });
});
