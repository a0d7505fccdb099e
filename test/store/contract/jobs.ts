// The batch job part of the store contract (see ../contract.ts): state moves are guarded, one
// processing job per account, a checkpoint commits only for its runner and carries its charge.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Stores } from '../../../src/store/index.js';
import { expectError, T0 } from '../helpers.js';

export function jobsContract(stores: () => Stores): void {
  let s: Stores;
  beforeEach(() => {
    s = stores();
  });
  const claim = (runner: string) => ({ runner, leaseUntil: T0 + 60_000 });
  const job = (id: string, account = 'acme') => s.jobs.insert({ id, account, mode: 'single', config: { labels: ['a'] }, created_at: T0 });
  const input = { name: 'input-1.ndjson', bytes: 100, lines: 10 };

  describe('batch jobs', () => {
    it('inserts a pending job, readable only by its account', async () => {
      expect(await job('batch_a')).toMatchObject({ id: 'batch_a', status: 'pending', input_bytes: null, next_line: 0, runner: null });
      expect(await s.jobs.get('batch_a', 'other')).toBeUndefined();
      expect((await s.jobs.list('acme', 20)).map((j) => j.id)).toEqual(['batch_a']);
    });

    it('starts only with an input, from pending or failed, one processing job per account', async () => {
      await job('batch_a');
      await job('batch_b');
      await job('batch_c', 'other');
      await expectError(s.jobs.start('batch_a', 'acme', 5, T0, claim('r1')), 'BATCH_INPUT_MISSING');
      for (const [id, acct] of [['batch_a', 'acme'], ['batch_b', 'acme'], ['batch_c', 'other']]) await s.jobs.setInput(id, acct, input);
      expect(await s.jobs.start('batch_a', 'acme', 5, T0, claim('r1'))).toMatchObject({ status: 'processing', estimated_tokens: 5, runner: 'r1', started_at: T0 });
      await expectError(s.jobs.start('batch_b', 'acme', 5, T0, claim('r1')), 'BATCH_CONCURRENCY_LIMIT');
      await expectError(s.jobs.start('batch_a', 'acme', 5, T0, claim('r1')), 'BATCH_INVALID_STATE');
      expect((await s.jobs.start('batch_c', 'other', 5, T0, claim('r2'))).status).toBe('processing');
      expect(await s.jobs.setInput('batch_a', 'acme', input)).toBeUndefined(); // not while processing
      expect(await s.jobs.delete('batch_a', 'acme')).toBe(false);
      expect((await s.jobs.processing()).map((j) => j.id).sort()).toEqual(['batch_a', 'batch_c']);
    });

    it('commits a checkpoint with its usage row and charge only for the runner that holds the job', async () => {
      await job('batch_a');
      await s.jobs.setInput('batch_a', 'acme', input);
      await s.jobs.start('batch_a', 'acme', 5, T0, claim('r1'));
      const cp = { next_line: 4, input_offset: 40, output_bytes: 200, failed: 1, tokens: 30, usage: { request_id: 'batch_a_4', account: 'acme', endpoint: '/batch', status: 200, priority: 'batch', tokens: 30, latency_ms: 0 } };
      expect(await s.jobs.checkpoint('batch_a', 'r2', cp, T0, T0 + 1)).toBe(false);
      expect(await s.jobs.checkpoint('batch_a', 'r1', cp, T0, T0 + 1)).toBe(true);
      expect(await s.jobs.get('batch_a', 'acme')).toMatchObject({ next_line: 4, input_offset: 40, output_bytes: 200, failed_lines: 1, tokens: 30, chunks: 1, lease_until: T0 + 1 });
      expect((await s.billing.balance('acme', T0)).free_tokens_used).toBe(30);
      expect((await s.usage.usage({ account: 'acme', start: T0 - 1, end: T0 + 1, group_by: 'priority' })).totals).toMatchObject({ tokens: 30, requests: 1 });
      // Taken over (compare-and-swap on the runner), the old runner can no longer commit.
      expect(await s.jobs.claim('batch_a', 'r9', claim('r2'))).toBe(false);
      expect(await s.jobs.claim('batch_a', 'r1', claim('r2'))).toBe(true);
      expect(await s.jobs.checkpoint('batch_a', 'r1', { ...cp, next_line: 8 }, T0, T0 + 1)).toBe(false);
      await s.jobs.release('batch_a', 'r2');
      expect((await s.jobs.get('batch_a', 'acme'))?.runner).toBeNull();
    });

    it('finishes processing or pending jobs once; cancelled jobs take a new input and become pending', async () => {
      await job('batch_a');
      expect(await s.jobs.finish('batch_a', 'completed', T0)).toBe(false); // pending: only cancel
      expect(await s.jobs.finish('batch_a', 'cancelled', T0)).toBe(true);
      expect(await s.jobs.finish('batch_a', 'cancelled', T0)).toBe(false);
      const swapped = await s.jobs.setInput('batch_a', 'acme', input);
      expect(swapped).toMatchObject({ job: { status: 'pending', input_name: 'input-1.ndjson', input_lines: 10 }, replaced: null });
      expect((await s.jobs.setInput('batch_a', 'acme', { ...input, name: 'input-2.ndjson' }))?.replaced).toBe('input-1.ndjson');
      await s.jobs.start('batch_a', 'acme', 5, T0, claim('r1'));
      expect(await s.jobs.finish('batch_a', 'failed', T0 + 5, { code: 'INTERNAL_ERROR', message: 'x' })).toBe(true);
      expect(await s.jobs.get('batch_a', 'acme')).toMatchObject({ status: 'failed', error_code: 'INTERNAL_ERROR', runner: null, completed_at: T0 + 5 });
      expect(await s.jobs.delete('batch_a', 'acme')).toBe(true);
      expect(await s.jobs.get('batch_a', 'acme')).toBeUndefined();
    });

    it('keeps one secret per name', async () => {
      const a = await s.jobs.secret('job-tokens');
      expect(a.length).toBeGreaterThanOrEqual(32);
      expect((await s.jobs.secret('job-tokens')).equals(a)).toBe(true);
      expect((await s.jobs.secret('other')).equals(a)).toBe(false);
    });
  });
}
