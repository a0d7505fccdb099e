import { describe, expect, it } from 'vitest';

// Imports the BUILT package through its own `exports` map (package self-reference), the way
// users load it; `npm test` builds dist/ first.
describe('package exports', () => {
  it('exposes the engine, the HTTP adapter and the client as subpath exports', async () => {
    const core = await import('labelwise');
    const http = await import('labelwise/http');
    const client = await import('labelwise/client');
    expect(typeof core.createEngine).toBe('function');
    expect(typeof core.LabelwiseError).toBe('function');
    expect(core.MODEL_CHANNEL).toBe('labelwise:model');
    expect(typeof http.createHandler).toBe('function');
    expect(typeof client.createClient).toBe('function');
  });

  it('keeps internals private: no deep imports outside the exports map', async () => {
    const deep = ['labelwise', 'dist', 'engine', 'engine.js'].join('/');
    await expect(import(/* @vite-ignore */ deep)).rejects.toThrow();
  });

  it('runs a classification from the built package', async () => {
    const { createEngine } = await import('labelwise');
    const engine = await createEngine({ pool: { workers: 1 } });
    try {
      const res = await engine.classify({ text: 'The goalkeeper saved a penalty.', labels: ['sports', 'finance'] });
      expect(res.label).toBe('sports');
    } finally {
      await engine.close();
    }
  });
});
