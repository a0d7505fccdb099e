/** Options of in-process calls are checked like request fields (issue #8, defect 7). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ pool: { workers: 1 } });
});
afterAll(async () => {
  await engine?.close();
});

const request = { text: 'my parcel is late', labels: ['billing', 'shipping'] };

describe('call options', () => {
  it.each([
    ['tier gold', { tier: 'gold' }, 'options.tier'],
    ['an empty account', { account: '' }, 'options.account'],
    ['a 201-character account', { account: 'a'.repeat(201) }, 'options.account'],
    ['a numeric account', { account: 7 }, 'options.account'],
    ['a 10,000-character requestId', { requestId: 'r'.repeat(10_000) }, 'options.requestId'],
    ['a numeric keyId', { keyId: 5 }, 'options.keyId'],
    ['method "get /x"', { method: 'get /x' }, 'options.method'],
    ['logInputs "yes"', { logInputs: 'yes' }, 'options.logInputs'],
    ['a signal that is not an AbortSignal', { signal: {} }, 'options.signal'],
    ['a misspelled option', { acount: 'acme' }, 'options.acount'],
  ])('%s is VALIDATION_ERROR naming its field, on every call kind, and nothing is logged', async (_name, options, field) => {
    const calls = [
      engine.classify(request, options as never),
      engine.tag(request, options as never),
      engine.classifyBatch({ texts: [request.text], labels: request.labels }, options as never),
      engine.tagBatch({ texts: [request.text], labels: request.labels }, options as never),
    ];
    for (const call of calls) {
      await expect(call).rejects.toMatchObject({ name: 'LabelwiseError', code: 'VALIDATION_ERROR', status: 422, details: { field } });
    }
    expect((await engine.usage()).totals.requests).toBe(0);
  });

  it('null or a non-object is refused; valid options work', async () => {
    await expect(engine.classify(request, null as never)).rejects.toMatchObject({ details: { field: 'options' } });
    await expect(engine.classify(request, 'acme' as never)).rejects.toMatchObject({ details: { field: 'options' } });
    const ok = await engine.classify(request, { tier: 'production', account: 'acme', requestId: 'req_ok', method: 'CALL', logInputs: false, keyId: null, signal: new AbortController().signal });
    expect(ok.label).toBe('shipping');
  });
});
