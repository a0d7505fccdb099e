import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { isLabelwiseError, type LabelwiseError } from '../src/errors.js';
import {
  batchItemError,
  classifyBatchRequestSchema,
  classifyBatchResponseSchema,
  classifyRequestSchema,
  classifyResponseSchema,
  labelConfigChecks,
  parseBatchRequest,
  parseClassifyRequest,
  parseTagRequest,
  tagBatchRequestSchema,
  tagBatchResponseSchema,
  tagRequestSchema,
  tagResponseSchema,
} from '../src/schema/index.js';
import { openStores } from '../src/store/index.js';

const base = { text: 'I was charged twice', labels: ['billing', 'bug'] };

/** Runs `fn`, asserts it threw a 422 VALIDATION_ERROR naming `field`, returns the error. */
function invalid(fn: () => unknown, field: string, message?: string | RegExp): LabelwiseError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (!isLabelwiseError(thrown)) throw new Error(`expected a LabelwiseError, got ${String(thrown)}`);
  expect(thrown.code).toBe('VALIDATION_ERROR');
  expect(thrown.status).toBe(422);
  expect(thrown.details).toEqual({ field, reason: 'invalid_field' });
  if (typeof message === 'string') expect(thrown.message).toBe(message);
  else if (message) expect(thrown.message).toMatch(message);
  return thrown;
}

const classify = (extra: Record<string, unknown>) => () => parseClassifyRequest({ ...base, ...extra });
const tag = (extra: Record<string, unknown>) => () => parseTagRequest({ ...base, ...extra });
const labels = (n: number) => Array.from({ length: n }, (_, i) => `label ${i}`);

describe('body', () => {
  it('rejects a body that is not a JSON object, naming the field "body"', () => {
    for (const body of [null, undefined, 'text', 42, [], [base]]) {
      invalid(() => parseClassifyRequest(body), 'body', 'body must be a JSON object');
      invalid(() => parseBatchRequest(body, 'tag'), 'body');
    }
  });

  it('reports the first problem when several fields are wrong', () => {
    invalid(classify({ labels: [], cache: 'yes', priority: 'slow' }), 'labels');
  });
});

describe('text', () => {
  it('is required when neither image nor file is given', () => {
    invalid(() => parseClassifyRequest({ labels: ['a'] }), 'text', /text is required/);
  });

  it('counts whitespace-only text as missing', () => {
    invalid(classify({ text: ' \n\t ' }), 'text', /text is required/);
    invalid(classify({ text: '' }), 'text', /text is required/);
  });

  it('must be a string', () => {
    invalid(classify({ text: 42 }), 'text', 'text must be a string');
  });

  it('may be left out when an image or a file is given', () => {
    expect(parseClassifyRequest({ labels: ['a'], image: 'aGk=' }).text).toBeUndefined();
    expect(parseClassifyRequest({ labels: ['a'], file: 'https://example.com/a.pdf' }).file).toBe('https://example.com/a.pdf');
  });

  it('is dropped when whitespace-only beside an image', () => {
    expect(parseClassifyRequest({ labels: ['a'], text: '  ', image: 'aGk=' })).not.toHaveProperty('text');
  });

  it('is kept as given, not trimmed', () => {
    expect(parseClassifyRequest({ ...base, text: '  hello  ' }).text).toBe('  hello  ');
  });
});

describe('labels', () => {
  it('are required unless a classifier is given', () => {
    invalid(() => parseClassifyRequest({ text: 'x' }), 'labels', /labels is required/);
  });

  it('cannot be given together with a classifier', () => {
    invalid(classify({ classifier: 'support' }), 'classifier', /not both/);
  });

  it('must be an array', () => {
    invalid(classify({ labels: 'billing' }), 'labels');
  });

  it('must not be empty', () => {
    invalid(classify({ labels: [] }), 'labels', /1 to 200/);
  });

  it('accept 200 labels and reject 201', () => {
    expect(parseClassifyRequest({ ...base, labels: labels(200) }).labels).toHaveLength(200);
    invalid(classify({ labels: labels(201) }), 'labels', /1 to 200/);
  });

  it('must each be a string, naming the index', () => {
    invalid(classify({ labels: ['a', 7] }), 'labels.1', 'each label must be a string');
  });

  it('must each be non-empty after trimming', () => {
    invalid(classify({ labels: ['a', 'b', 'c', '   '] }), 'labels.3', /1 to 100 characters/);
  });

  it('accept a 100-character label and reject a 101-character one', () => {
    expect(parseClassifyRequest({ ...base, labels: ['x'.repeat(100)] }).labels).toEqual(['x'.repeat(100)]);
    invalid(classify({ labels: ['x'.repeat(101)] }), 'labels.0', /1 to 100 characters/);
  });

  it('measure length after trimming', () => {
    expect(parseClassifyRequest({ ...base, labels: [`  ${'x'.repeat(100)}  `] }).labels).toEqual(['x'.repeat(100)]);
  });

  it('must be unique after trimming', () => {
    invalid(classify({ labels: ['billing', ' billing '] }), 'labels', 'labels must be unique');
    invalid(classify({ labels: ['a', 'a'] }), 'labels', 'labels must be unique');
  });
});

describe('classifier', () => {
  it('accepts a name or a name pinned to a version', () => {
    for (const classifier of ['support', 'a', 'tickets_v2-x', 'support@v1', 'support@v12', 'x'.repeat(64)]) {
      expect(parseClassifyRequest({ text: 'x', classifier }).classifier).toBe(classifier);
    }
  });

  it('rejects names that do not match the pattern', () => {
    for (const classifier of ['Support', '-support', '_x', 'support@v0', 'support@2', 'support@v', 'a b', '', 'x'.repeat(65), 7]) {
      invalid(() => parseClassifyRequest({ text: 'x', classifier }), 'classifier');
    }
  });
});

describe('descriptions', () => {
  it('must be an object', () => {
    invalid(classify({ descriptions: ['billing'] }), 'descriptions');
  });

  it('keys must be labels', () => {
    invalid(classify({ descriptions: { billing: 'money', refund: 'x' } }), 'descriptions.refund', /not one of the labels/);
  });

  it('keys are compared with labels after trimming', () => {
    const req = parseClassifyRequest({ ...base, labels: [' billing', 'bug'], descriptions: { 'billing ': 'money' } });
    expect(req.descriptions).toEqual({ billing: 'money' });
  });

  it('keys must not collide after trimming', () => {
    invalid(classify({ descriptions: { billing: 'a', ' billing': 'b' } }), 'descriptions. billing', /more than one key/);
  });

  it('values must be strings', () => {
    invalid(classify({ descriptions: { billing: 5 } }), 'descriptions.billing');
  });

  it('values may be 1000 characters but not 1001', () => {
    expect(parseClassifyRequest({ ...base, descriptions: { billing: 'd'.repeat(1000) } }).descriptions.billing).toHaveLength(1000);
    invalid(classify({ descriptions: { billing: 'd'.repeat(1001) } }), 'descriptions.billing', /at most 1000/);
  });

  it('keys are not checked against labels when a classifier is named', () => {
    const req = parseClassifyRequest({ text: 'x', classifier: 'support', descriptions: { anything: 'y' } });
    expect(req.descriptions).toEqual({ anything: 'y' });
  });
});

describe('examples', () => {
  it('must be an object of string arrays', () => {
    invalid(classify({ examples: 'x' }), 'examples');
    invalid(classify({ examples: { billing: 'refund me' } }), 'examples.billing');
    invalid(classify({ examples: { billing: ['ok', 3] } }), 'examples.billing.1');
  });

  it('keys must be labels', () => {
    invalid(classify({ examples: { refund: ['x'] } }), 'examples.refund', /not one of the labels/);
  });

  it('allow 100 per label but not 101', () => {
    expect(parseClassifyRequest({ ...base, examples: { billing: labels(100) } }).examples.billing).toHaveLength(100);
    invalid(classify({ examples: { billing: labels(101) } }), 'examples.billing', /at most 100/);
  });

  it('must each be at most 2000 characters', () => {
    expect(parseClassifyRequest({ ...base, examples: { bug: ['e'.repeat(2000)] } }).examples.bug[0]).toHaveLength(2000);
    invalid(classify({ examples: { billing: ['a', 'b', 'e'.repeat(2001)] } }), 'examples.billing.2', /1 to 2000/);
  });

  it('must each be non-empty after trimming', () => {
    invalid(classify({ examples: { billing: ['  '] } }), 'examples.billing.0', /1 to 2000/);
  });

  it('keys are not checked against labels when a classifier is named', () => {
    expect(parseClassifyRequest({ text: 'x', classifier: 'support', examples: { other: ['y'] } }).examples).toEqual({ other: ['y'] });
  });
});

describe('text_type, priority, cache', () => {
  it('text_type must be a string of at most 100 characters', () => {
    expect(parseClassifyRequest({ ...base, text_type: 't'.repeat(100) }).text_type).toHaveLength(100);
    invalid(classify({ text_type: 't'.repeat(101) }), 'text_type', /at most 100/);
    invalid(classify({ text_type: 1 }), 'text_type');
  });

  it('the source_type alias follows the same rule under its own name', () => {
    invalid(classify({ source_type: 't'.repeat(101) }), 'source_type', /source_type/);
  });

  it('priority must be standard or fast', () => {
    invalid(classify({ priority: 'slow' }), 'priority', 'priority must be "standard" or "fast"');
  });

  it('the speed alias must be standard or fast', () => {
    invalid(classify({ speed: 'turbo' }), 'speed', /speed/);
  });

  it('cache must be a boolean', () => {
    invalid(classify({ cache: 'false' }), 'cache', 'cache must be a boolean');
  });
});

describe('threshold', () => {
  it('must be a number between 0 and 1 for tag', () => {
    for (const threshold of [-0.01, 1.01, '0.5', null]) invalid(tag({ threshold }), 'threshold');
    expect(parseTagRequest({ ...base, threshold: 0 }).threshold).toBe(0);
    expect(parseTagRequest({ ...base, threshold: 1 }).threshold).toBe(1);
  });

  it('is absent for tag when not given (the engine resolves it: saved classifier, else 0.5)', () => {
    expect(parseTagRequest(base)).not.toHaveProperty('threshold');
  });

  it('is ignored by classify, even when out of range', () => {
    expect(parseClassifyRequest({ ...base, threshold: 7 })).not.toHaveProperty('threshold');
  });

  it('is validated by tag batch and ignored by classify batch', () => {
    const batch = { texts: ['a'], labels: ['x'], threshold: 2 };
    invalid(() => parseBatchRequest(batch, 'tag'), 'threshold');
    expect(parseBatchRequest(batch, 'classify')).not.toHaveProperty('threshold');
    expect(parseBatchRequest({ ...batch, threshold: 0.25 }, 'tag').threshold).toBe(0.25);
  });
});

describe('image and file', () => {
  it('normalizes a single image to an array', () => {
    expect(parseClassifyRequest({ ...base, image: 'aGk=' }).image).toEqual(['aGk=']);
    expect(parseClassifyRequest({ ...base, image: ['a', 'b'] }).image).toEqual(['a', 'b']);
  });

  it('allows 20 images but not 21', () => {
    expect(parseClassifyRequest({ ...base, image: labels(20) }).image).toHaveLength(20);
    invalid(classify({ image: labels(21) }), 'image', /1 to 20/);
  });

  it('rejects an empty image array', () => {
    invalid(classify({ image: [] }), 'image', /1 to 20/);
  });

  it('rejects images that are not strings or are empty', () => {
    invalid(classify({ image: 5 }), 'image');
    invalid(classify({ image: '' }), 'image');
    invalid(classify({ image: ['a', ''] }), 'image.1', 'image must not be empty');
  });

  it('file must be a non-empty string', () => {
    invalid(classify({ file: 5 }), 'file', 'file must be a string');
    invalid(classify({ file: '' }), 'file', 'file must not be empty');
  });
});

describe('batch', () => {
  const batch = { texts: ['one', 'two'], labels: ['a', 'b'] };

  it('texts are required and must be an array', () => {
    invalid(() => parseBatchRequest({ labels: ['a'] }, 'classify'), 'texts', /1 to 1000/);
    invalid(() => parseBatchRequest({ texts: 'one', labels: ['a'] }, 'classify'), 'texts', /1 to 1000/);
  });

  it('texts must have 1 to 1000 entries', () => {
    invalid(() => parseBatchRequest({ ...batch, texts: [] }, 'classify'), 'texts', /1 to 1000/);
    expect(parseBatchRequest({ ...batch, texts: labels(1000) }, 'classify').texts).toHaveLength(1000);
    invalid(() => parseBatchRequest({ ...batch, texts: labels(1001) }, 'tag'), 'texts', /1 to 1000/);
  });

  it('accepts any item types in texts, leaving them to batchItemError', () => {
    const texts = ['ok', '  ', 7, null, { a: 1 }];
    expect(parseBatchRequest({ ...batch, texts }, 'classify').texts).toEqual(texts);
  });

  it('does not use text, and does not require it', () => {
    const req = parseBatchRequest({ ...batch, text: 'ignored' }, 'classify');
    expect(req).not.toHaveProperty('text');
    expect(req.texts).toEqual(['one', 'two']);
  });

  it('applies the label rules of single requests', () => {
    invalid(() => parseBatchRequest({ ...batch, labels: ['a', ' a'] }, 'classify'), 'labels', 'labels must be unique');
    invalid(() => parseBatchRequest({ ...batch, classifier: 'support' }, 'tag'), 'classifier');
    invalid(() => parseBatchRequest({ texts: ['x'] }, 'tag'), 'labels');
  });
});

describe('batchItemError', () => {
  it('accepts a non-empty string', () => {
    expect(batchItemError('hello')).toBeNull();
  });

  it('rejects empty, whitespace-only and missing texts as empty', () => {
    for (const text of ['', '   \n', null, undefined]) {
      const e = batchItemError(text);
      expect(e?.code).toBe('VALIDATION_ERROR');
      expect(e?.status).toBe(422);
      expect(e?.message).toBe('text must not be empty');
      expect(e?.details).toEqual({ field: 'text', reason: 'invalid_field' });
    }
  });

  it('rejects other non-strings as not a string', () => {
    for (const text of [7, { text: 'x' }, ['x'], true]) {
      const e = batchItemError(text);
      expect(e?.message).toBe('text must be a string');
      expect(e?.details).toEqual({ field: 'text', reason: 'invalid_field' });
    }
  });
});

describe('normalization', () => {
  it('applies the defaults', () => {
    expect(parseClassifyRequest(base)).toEqual({
      text: base.text,
      labels: ['billing', 'bug'],
      descriptions: {},
      examples: {},
      priority: 'standard',
      cache: true,
    });
  });

  it('maps speed to priority and source_type to text_type', () => {
    const req = parseClassifyRequest({ ...base, speed: 'fast', source_type: 'email' });
    expect(req.priority).toBe('fast');
    expect(req.text_type).toBe('email');
    expect(req).not.toHaveProperty('speed');
    expect(req).not.toHaveProperty('source_type');
  });

  it('lets the canonical name win over its alias', () => {
    const req = parseClassifyRequest({ ...base, priority: 'standard', speed: 'fast', text_type: 'ticket', source_type: 'email' });
    expect(req.priority).toBe('standard');
    expect(req.text_type).toBe('ticket');
  });

  it('trims labels and re-keys descriptions and examples by the trimmed label', () => {
    const req = parseClassifyRequest({
      ...base,
      labels: ['  billing ', 'bug'],
      descriptions: { ' billing': 'money matters' },
      examples: { 'bug ': ['  it crashes  '] },
    });
    expect(req.labels).toEqual(['billing', 'bug']);
    expect(req.descriptions).toEqual({ billing: 'money matters' });
    expect(req.examples).toEqual({ bug: ['it crashes'] });
  });

  it('keeps cache: false', () => {
    expect(parseClassifyRequest({ ...base, cache: false }).cache).toBe(false);
  });

  it('ignores unknown fields', () => {
    const req = parseClassifyRequest({ ...base, model: 'x', multi_label: true, __proto__: { polluted: true } });
    expect(req).not.toHaveProperty('model');
    expect(req).not.toHaveProperty('multi_label');
    expect(req).not.toHaveProperty('polluted');
  });

  it('does not modify the input', () => {
    const input = { ...base, labels: [' a ', 'b'], descriptions: { ' a': 'x' }, image: 'aGk=' };
    const copy = structuredClone(input);
    parseClassifyRequest(input);
    expect(input).toEqual(copy);
  });
});

describe('labelConfigChecks', () => {
  it('accepts a valid merged config', () => {
    expect(() => labelConfigChecks({ labels: ['a', 'b'], descriptions: { a: 'x' }, examples: { b: ['y'] }, text_type: 't' })).not.toThrow();
  });

  it('rejects description and example keys that are not labels', () => {
    invalid(() => labelConfigChecks({ labels: ['a'], descriptions: { c: 'x' }, examples: {} }), 'descriptions.c');
    invalid(() => labelConfigChecks({ labels: ['a'], descriptions: {}, examples: { c: ['x'] } }), 'examples.c');
  });

  it('applies the label and example limits', () => {
    invalid(() => labelConfigChecks({ labels: labels(201), descriptions: {}, examples: {} }), 'labels');
    invalid(() => labelConfigChecks({ labels: ['a', 'a '], descriptions: {}, examples: {} }), 'labels', 'labels must be unique');
    invalid(() => labelConfigChecks({ labels: ['a'], descriptions: {}, examples: { a: labels(101) } }), 'examples.a');
    invalid(() => labelConfigChecks({ labels: ['a'], descriptions: {}, examples: {}, text_type: 't'.repeat(101) }), 'text_type');
  });
});

describe('JSON Schema', () => {
  it('converts every request schema with z.toJSONSchema', () => {
    for (const schema of [classifyRequestSchema, tagRequestSchema, classifyBatchRequestSchema, tagBatchRequestSchema]) {
      const json = z.toJSONSchema(schema, { io: 'input' });
      expect(json.type).toBe('object');
      expect(json.properties).toHaveProperty('labels');
      expect(json.properties?.speed).toMatchObject({ deprecated: true });
      expect(json.properties?.source_type).toMatchObject({ deprecated: true });
    }
  });

  it('documents batch texts as strings although items are checked later', () => {
    const json = z.toJSONSchema(classifyBatchRequestSchema, { io: 'input' });
    expect(json.properties?.texts).toMatchObject({ type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string' } });
    expect(json.required).toEqual(['texts']);
  });

  it('converts every response schema with z.toJSONSchema', () => {
    for (const schema of [classifyResponseSchema, tagResponseSchema, classifyBatchResponseSchema, tagBatchResponseSchema]) {
      expect(() => z.toJSONSchema(schema)).not.toThrow();
    }
  });
});

describe('unicode in labels, keys and text_type', () => {
  const nfc = 'caf\u00e9';
  const nfd = 'cafe\u0301';

  it('normalises labels to NFC, so precomposed and decomposed "café" are one label', () => {
    expect(parseClassifyRequest({ ...base, labels: [nfd, 'tea'] }).labels).toEqual([nfc, 'tea']);
    invalid(classify({ labels: [nfc, nfd] }), 'labels', 'labels must be unique');
  });

  it('matches descriptions and examples keys to labels after NFC, and stores them NFC', () => {
    const req = parseClassifyRequest({ ...base, labels: [nfc, 'tea'], descriptions: { [nfd]: 'coffee place' }, examples: { [nfd]: ['an espresso'] } });
    expect(Object.keys(req.descriptions)).toEqual([nfc]);
    expect(Object.keys(req.examples)).toEqual([nfc]);
    invalid(classify({ labels: [nfc, 'tea'], descriptions: { [nfc]: 'x', [nfd]: 'y' } }), `descriptions.${nfd}`, /more than one key/);
  });

  it('normalises text_type (and its source_type alias) to NFC', () => {
    expect(parseClassifyRequest({ ...base, text_type: `${nfd} menu` }).text_type).toBe(`${nfc} menu`);
    expect(parseClassifyRequest({ ...base, source_type: nfd }).text_type).toBe(nfc);
  });

  it('refuses lone surrogates and control characters, naming the field', () => {
    invalid(classify({ labels: ['ok', 'bad\ud800'] }), 'labels.1', /lone surrogate/);
    invalid(classify({ labels: ['ok', '\udc00bad'] }), 'labels.1', /lone surrogate/);
    invalid(classify({ labels: ['nul\u0000', 'ok'] }), 'labels.0', /control character \(U\+0000\)/);
    invalid(classify({ labels: ['a\nb', 'ok'] }), 'labels.0', /control character/);
    invalid(classify({ labels: ['a\u0085b', 'ok'] }), 'labels.0', /control character \(U\+0085\)/);
    invalid(classify({ text_type: 'ticket\u0007' }), 'text_type', /control character/);
    invalid(classify({ source_type: 'x\ud83d' }), 'source_type', /lone surrogate/);
    invalid(classify({ descriptions: { 'billing\u0000': 'x' } }), 'descriptions.billing\u0000', /control character/);
    invalid(classify({ examples: { 'bug\udfff': ['x'] } }), 'examples.bug\udfff', /lone surrogate/);
    // A paired surrogate (an emoji) is an ordinary character.
    expect(parseClassifyRequest({ ...base, labels: ['😀 happy', 'sad'] }).labels).toEqual(['😀 happy', 'sad']);
  });

  it('applies the same rules to merged configs and saved classifiers', async () => {
    invalid(() => labelConfigChecks({ labels: ['a\u0000'], descriptions: {}, examples: {} }), 'labels.0');
    const stores = await openStores();
    try {
      const saved = await stores.classifiers.create({ name: 'cafes', labels: [nfd, 'tea'], descriptions: { [nfd]: 'coffee' }, text_type: nfd });
      expect(saved).toMatchObject({ labels: [nfc, 'tea'], descriptions: { [nfc]: 'coffee' }, text_type: nfc });
      await expect(stores.classifiers.create({ name: 'bad', labels: ['x\ud800'] })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'labels.0' } });
      await expect(stores.keys.create({ name: 'ci\u0000' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'name' } });
    } finally {
      await stores.close();
    }
  });
});

describe('__proto__ keys', () => {
  // JSON.parse makes "__proto__" an own key, as an HTTP body would have it.
  const body = (json: string) => JSON.parse(json) as Record<string, unknown>;

  it('are refused in descriptions and examples instead of being silently dropped', () => {
    const withDescription = body('{"text":"x","labels":["__proto__","b"],"descriptions":{"__proto__":"the prototype"}}');
    invalid(() => parseClassifyRequest(withDescription), 'descriptions.__proto__', /"__proto__" is not allowed/);
    const withExamples = body('{"texts":["x"],"labels":["__proto__","b"],"examples":{"__proto__":["one"]}}');
    invalid(() => parseBatchRequest(withExamples, 'tag'), 'examples.__proto__');
    invalid(() => labelConfigChecks(body('{"labels":["a"],"descriptions":{},"examples":{"__proto__":["x"]}}') as never), 'examples.__proto__');
  });

  it('are refused in saved classifiers and key bodies too', async () => {
    const stores = await openStores();
    try {
      await expect(stores.classifiers.create(body('{"name":"p","labels":["a"],"descriptions":{"__proto__":"x"}}') as never)).rejects.toMatchObject({
        details: { field: 'descriptions.__proto__' },
      });
      await expect(stores.keys.create(body('{"__proto__":{"tier":"production"}}') as never)).rejects.toMatchObject({ details: { field: '__proto__' } });
    } finally {
      await stores.close();
    }
  });

  it('a label named like an Object.prototype member works as a plain label', () => {
    const req = parseClassifyRequest({ text: 'x', labels: ['constructor', 'toString'], descriptions: { constructor: 'builds' } });
    expect(req.descriptions).toEqual({ constructor: 'builds' });
    expect(Object.hasOwn(req.examples, 'toString')).toBe(false);
  });
});
