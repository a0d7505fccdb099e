/**
 * The one pipeline (issue #9): pre-authorisation counts what a call will cost (documents
 * included), the tag threshold is resolved with the label config (request, else saved
 * classifier, else 0.5), and close() lets a call whose model run is on a worker finish and be
 * recorded before the stores close. Real model, real SQLite files.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { buildPdf } from '../support/documents-pdf.js';
import { captureWarnings } from '../support/warnings.js';

const LABELS = ['sports', 'business', 'technology', 'cooking'];
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-pipeline-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('pre-authorisation (billing on)', () => {
  it('counts a document-only request by its visual tokens, not by its label tokens alone', async () => {
    // 500 free tokens: plenty for a short text and four labels, not for a page (~1,500 visual tokens).
    const engine = await createEngine({ dataDir: tempDir(), pool: { workers: 1 }, billing: { enabled: true, freeTokensMonthly: 500 } });
    try {
      expect((await engine.classify({ text: 'The striker scored twice.', labels: LABELS })).label).toBe('sports');
      const file = buildPdf([{ text: ['The quarterly revenue of the company grew by ten percent.'] }]).toString('base64');
      await expect(engine.classify({ file, labels: LABELS })).rejects.toMatchObject({ code: 'INSUFFICIENT_BALANCE', status: 402 });
      // Refused before any work: nothing was charged for it.
      expect((await engine.balance()).free_tokens_used).toBeLessThan(100);
      await engine.billing.credit('default', 1);
      const paid = await engine.classify({ file, labels: LABELS });
      expect(paid.label).toBe('business');
      expect(paid.visual_tokens).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  });
});

describe('tag threshold', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ pool: { workers: 1 } });
    await engine.classifiers.create({ name: 'news', labels: LABELS, threshold: 0 });
  });
  afterAll(async () => {
    await engine.close();
  });
  const text = 'Apple unveiled a new iPhone; its stock price jumped after the launch.';

  it("is the saved classifier's when the request gives none, and the request's when it does (0.5 included)", async () => {
    const saved = await engine.tag({ text, classifier: 'news' });
    expect(saved.labels).toHaveLength(LABELS.length); // threshold 0: every label
    const given = await engine.tag({ text, classifier: 'news', threshold: 0.5 });
    expect(given.cached).toBe(false); // another threshold, another answer
    expect(given.labels.map((l) => l.label).sort()).toEqual(['business', 'technology']);
    expect(given.labels).toEqual(saved.labels.filter((l) => l.confidence >= 0.5));
  });

  it('is 0.5 for inline labels when not given, the same answer (and cache entry) as an explicit 0.5', async () => {
    const implicit = await engine.tag({ text, labels: LABELS });
    expect(implicit.labels.map((l) => l.label).sort()).toEqual(['business', 'technology']);
    const explicit = await engine.tag({ text, labels: LABELS, threshold: 0.5 });
    expect(explicit).toMatchObject({ cached: true, labels: implicit.labels });
  });
});

describe('close()', () => {
  it('waits for a call whose model run is on a worker: it is answered and recorded before the stores close', async () => {
    const dir = tempDir();
    const engine = await createEngine({ dataDir: dir, durability: 'durable', pool: { workers: 1 } });
    await engine.classify({ text: 'prototypes first', labels: LABELS });
    const warnings = captureWarnings('LABELWISE_USAGE', 'LABELWISE_STORE_FLUSH_FAILED');
    try {
      // One full run (64 texts, `fast`: dispatched the moment it is queued), long enough to
      // still be on the worker one event-loop turn later.
      const texts = Array.from({ length: 64 }, (_, i) => `closing time ${i}: the match went to extra time and then to a long penalty shoot-out that nobody expected`);
      const call = engine.classifyBatch({ texts, labels: LABELS, priority: 'fast', cache: false }, { requestId: 'req_closing' });
      await new Promise((r) => setImmediate(r));
      await engine.close();
      const answered = await call;
      expect(answered.results).toHaveLength(64);
      expect(answered.results.every((r) => 'label' in r)).toBe(true);
      expect(warnings.list).toEqual([]);
    } finally {
      warnings.restore();
    }
    const peer = new Database(join(dir, 'labelwise.db'), { readonly: true });
    try {
      expect(peer.prepare("SELECT status FROM usage WHERE request_id = 'req_closing'").all()).toEqual([{ status: 200 }]);
    } finally {
      peer.close();
    }
  });
});
