import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine, type Engine, type JobResultLine } from '../../src/index.js';
import { expectError, tempDirs } from '../store/helpers.js';

const dirs = tempDirs();
let engine: Engine;
let dataDir: string;
const LABELS = ['billing', 'shipping', 'account'];

beforeAll(async () => {
  dataDir = dirs.make();
  engine = await createEngine({ dataDir, pool: { workers: 1 }, jobs: { chunkLines: 7 } });
});
afterAll(async () => {
  await engine?.close();
  dirs.cleanup();
});

const lines = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `t${i}`, text: i % 2 ? `my card was charged twice, case ${i}` : `where is my parcel number ${i}` })).join('\n') + '\n';

async function collect(it: AsyncIterable<JobResultLine>): Promise<JobResultLine[]> {
  const out: JobResultLine[] = [];
  for await (const l of it) out.push(l);
  return out;
}

describe('batch jobs through the library', () => {
  it('create → upload → start → wait → results → delete; results equal classifyBatch, in order, with ids', async () => {
    const created = await engine.jobs.create({ labels: LABELS });
    expect(created).toMatchObject({ status: 'pending', job_id: expect.stringMatching(/^batch_[a-z0-9]{16}$/), upload_fields: { key: created.input_key, token: expect.stringMatching(/^lwt_/) } });
    const id = created.job_id;
    expect(await engine.jobs.upload(id, Buffer.from(lines(30)))).toMatchObject({ status: 'pending', requests_total: 30, estimated_tokens: null });
    expect(await engine.jobs.start(id)).toEqual({ job_id: id, status: 'processing' });
    const done = await engine.jobs.wait(id);
    expect(done).toMatchObject({ status: 'completed', requests_total: 30, requests_completed: 30, requests_failed: 0, error: null });
    expect(done.estimated_tokens).toBeGreaterThan(0);
    const results = await collect(await engine.jobs.results(id));
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => `t${i}`));
    const texts = lines(30).trim().split('\n').map((l) => JSON.parse(l).text as string);
    const sync = await engine.classifyBatch({ texts, labels: LABELS, cache: false });
    expect(results.map((r) => ('label' in r ? [r.label, r.confidence, r.tokens] : null))).toEqual(sync.results.map((r) => ('label' in r ? [r.label, r.confidence, r.tokens] : null)));
    expect(done.actual_tokens).toBe(sync.total_tokens);
    // Billed per chunk at the batch price: usage shows the job's tokens.
    const usage = await engine.usage({ group_by: 'priority' });
    expect(usage.data.find((d) => (d as { priority?: string }).priority === 'batch')).toMatchObject({ tokens: sync.total_tokens });
    expect((await engine.jobs.list())[0]).toEqual({ job_id: id, status: 'completed', requests_total: 30, requests_completed: 30, created_at: done.created_at });
    expect(await engine.jobs.delete(id)).toEqual({ job_id: id, deleted: true });
    await expectError(engine.jobs.get(id), 'BATCH_NOT_FOUND');
    expect(readdirSync(join(dataDir, 'jobs'))).not.toContain(id);
  });

  it('multi mode tags every line; bad lines are their own error lines and the job goes on', async () => {
    const { job_id: id } = await engine.jobs.create({ labels: LABELS, mode: 'multi', threshold: 0 });
    const input = ['{"text":"refund my card"}', 'not json', '{"id":7}', '{"text":"  "}', '[1]', '', '{"text":"lost parcel"}\r', Buffer.from([0xff, 0xfe]).toString('latin1')].join('\n');
    const file = join(dirs.make(), 'in.ndjson');
    writeFileSync(file, Buffer.concat([Buffer.from(input.slice(0, -2)), Buffer.from([0xff, 0xfe])]));
    expect((await engine.jobs.upload(id, file)).requests_total).toBe(8);
    await engine.jobs.start(id);
    expect(await engine.jobs.wait(id)).toMatchObject({ status: 'completed', requests_completed: 8, requests_failed: 6 });
    const r = await collect(await engine.jobs.results(id));
    expect(r.map((l) => ('error' in l ? l.code : 'ok'))).toEqual(['ok', 'INVALID_JSON', 'VALIDATION_ERROR', 'VALIDATION_ERROR', 'VALIDATION_ERROR', 'VALIDATION_ERROR', 'ok', 'INVALID_JSON']);
    expect(r[2]).toMatchObject({ index: 2, id: 7, tokens: 0 });
    expect((r[0] as { labels: unknown[] }).labels).toHaveLength(3);
  });

  it('a line over the line limit is an error line; a stream input is accepted', async () => {
    const small = await createEngine({ pool: { workers: 1 }, jobs: { maxLineBytes: 100 } });
    try {
      const { job_id: id } = await small.jobs.create({ labels: LABELS });
      const big = JSON.stringify({ text: 'x'.repeat(500) });
      await small.jobs.upload(id, Readable.from([`{"text":"a"}\n${big.slice(0, 50)}`, `${big.slice(50)}\n{"text":"b"}`]));
      await small.jobs.start(id);
      await small.jobs.wait(id);
      const r = await collect(await small.jobs.results(id));
      expect(r.map((l) => ('error' in l ? l.code : 'ok'))).toEqual(['ok', 'PAYLOAD_TOO_LARGE', 'ok']);
    } finally {
      await small.close();
    }
  });

  it('refuses what §7 forbids: missing input, a second processing job, results before done, delete while processing, unknown ids', async () => {
    const a = await engine.jobs.create({ labels: LABELS });
    await expectError(engine.jobs.start(a.job_id), 'BATCH_INPUT_MISSING');
    await expectError(engine.jobs.results(a.job_id), 'BATCH_INVALID_STATE');
    await engine.jobs.upload(a.job_id, Buffer.from(lines(2000)));
    const b = await engine.jobs.create({ labels: LABELS });
    await engine.jobs.upload(b.job_id, Buffer.from(lines(3)));
    await engine.jobs.start(a.job_id);
    await expectError(engine.jobs.start(b.job_id), 'BATCH_CONCURRENCY_LIMIT');
    await expectError(engine.jobs.start(a.job_id), 'BATCH_INVALID_STATE');
    await expectError(engine.jobs.delete(a.job_id), 'BATCH_INVALID_STATE');
    await expectError(engine.jobs.upload(a.job_id, Buffer.from(lines(1))), 'BATCH_INVALID_STATE');
    // Cancel stops it promptly, with what was done counted.
    const cancelled = await engine.jobs.cancel(a.job_id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.requests_completed).toBeLessThan(2000);
    await expectError(engine.jobs.cancel(a.job_id), 'BATCH_INVALID_STATE');
    // The account is free again.
    await engine.jobs.start(b.job_id);
    expect((await engine.jobs.wait(b.job_id)).status).toBe('completed');
    await expectError(engine.jobs.get('batch_0000000000000000'), 'BATCH_NOT_FOUND');
    await expectError(engine.jobs.get('../../etc'), 'BATCH_NOT_FOUND');
    await expectError(engine.jobs.get(b.job_id, { account: 'other' }), 'BATCH_NOT_FOUND');
    await expectError(engine.jobs.create({ labels: LABELS, mode: 'both' }), 'VALIDATION_ERROR', 'mode');
    await expectError(engine.jobs.create({ classifier: 'nope' }), 'CLASSIFIER_NOT_FOUND');
  });

  it('an upload over the limit is 413 and leaves nothing; tokens expire and cannot be forged', async () => {
    const e = await createEngine({ pool: { workers: 1 }, jobs: { maxUploadBytes: 1000, tokenTtlMs: 60_000 } });
    try {
      const { job_id: id, upload_fields } = await e.jobs.create({ labels: LABELS });
      await expectError(e.jobs.upload(id, Buffer.from(lines(100))), 'PAYLOAD_TOO_LARGE');
      expect((await e.jobs.get(id)).requests_total).toBe(0);
      await expectError(e.jobs.start(id), 'BATCH_INPUT_MISSING');
      expect(await e.jobs.verifyToken(id, 'upload', upload_fields.token)).toEqual({ job_id: id, account: 'default' });
      await expectError(e.jobs.verifyToken(id, 'download', upload_fields.token), 'INVALID_API_KEY');
      await expectError(e.jobs.verifyToken(id, 'upload', upload_fields.token.slice(0, -2) + 'AA'), 'INVALID_API_KEY');
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 61_000);
      await expectError(e.jobs.verifyToken(id, 'upload', upload_fields.token), 'INVALID_API_KEY');
      await expect(e.jobs.verifyToken(id, 'upload', upload_fields.token)).rejects.toMatchObject({ details: { reason: 'job_token_expired' } });
    } finally {
      vi.useRealTimers();
      await e.close();
    }
  });
});

describe('a job across engine restarts', () => {
  it('close() stops a running job at its checkpoint; the next engine on the data dir finishes it', async () => {
    const dir = dirs.make();
    const first = await createEngine({ dataDir: dir, pool: { workers: 1 }, jobs: { chunkLines: 5 } });
    const { job_id: id } = await first.jobs.create({ labels: LABELS });
    await first.jobs.upload(id, Buffer.from(lines(400)));
    await first.jobs.start(id);
    await first.close();
    const second = await createEngine({ dataDir: dir, pool: { workers: 1 } });
    try {
      const stopped = await second.jobs.get(id);
      expect(stopped.status === 'processing' || stopped.status === 'completed').toBe(true);
      const done = await second.jobs.wait(id);
      expect(done).toMatchObject({ status: 'completed', requests_completed: 400 });
      const r = await collect(await second.jobs.results(id));
      expect(r.map((l) => l.index)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    } finally {
      await second.close();
    }
  });
});

describe('many jobs at once', () => {
  it('jobs of several accounts share a full batch lane by waiting, not failing', async () => {
    const e = await createEngine({ pool: { workers: 1, maxQueue: 4 }, jobs: { chunkLines: 8, chunksInFlight: 3 } });
    try {
      const accounts = ['a1', 'a2', 'a3', 'a4'];
      const ids = await Promise.all(
        accounts.map(async (account) => {
          const { job_id } = await e.jobs.create({ labels: LABELS }, { account });
          await e.jobs.upload(job_id, Buffer.from(lines(60)), { account });
          await e.jobs.start(job_id, { account });
          return job_id;
        }),
      );
      const done = await Promise.all(ids.map((id, i) => e.jobs.wait(id, { account: accounts[i] })));
      expect(done.map((d) => [d.status, d.requests_completed, d.requests_failed])).toEqual(accounts.map(() => ['completed', 60, 0]));
    } finally {
      await e.close();
    }
  });
});

describe('billing of a job', () => {
  it('is refused at start (402) when the balance cannot cover the estimate; after a top-up each line is billed once at the batch price', async () => {
    const e = await createEngine({ pool: { workers: 1 }, billing: { enabled: true, freeTokensMonthly: 0, prices: { batch: 1000 } }, jobs: { chunkLines: 10 } });
    try {
      const { job_id: id } = await e.jobs.create({ labels: LABELS });
      await e.jobs.upload(id, Buffer.from(lines(100)));
      await e.billing.credit('default', 0.01);
      await expectError(e.jobs.start(id), 'INSUFFICIENT_BALANCE');
      expect((await e.jobs.get(id)).status).toBe('pending');
      await e.billing.credit('default', 100);
      await e.jobs.start(id);
      const done = await e.jobs.wait(id);
      expect(done).toMatchObject({ status: 'completed', requests_completed: 100 });
      expect(done.estimated_tokens).toBeGreaterThanOrEqual(done.actual_tokens!);
      expect((await e.usage({ group_by: 'priority' })).totals.tokens).toBe(done.actual_tokens);
      expect((await e.balance()).spend_usd).toBeCloseTo((done.actual_tokens! * 1000) / 1e6, 6);
    } finally {
      await e.close();
    }
  });
});
