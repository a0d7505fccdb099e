import { describe, expect, it } from 'vitest';
import { RunQueue, type Entry, type PendingRequest } from '../../src/pool/run-queue.js';

function request(): PendingRequest {
  return { results: [], remaining: 0, failed: false, resolve: () => {}, reject: () => {} };
}

function entries(req: PendingRequest, lengths: number[]): Entry[] {
  return lengths.map((n, index) => ({ request: req, index, ids: Array.from({ length: n }, () => 7) }));
}

describe('RunQueue', () => {
  it('pads a large request as if sorted globally: runs take the shortest sequences first', () => {
    const q = new RunQueue();
    const lengths = Array.from({ length: 200 }, (_, i) => ((i * 37) % 120) + 1);
    q.add(entries(request(), lengths), false);
    const runs: number[][] = [];
    while (q.length) runs.push(q.take(64).map((e) => e.ids.length));
    expect(runs.map((r) => r.length)).toEqual([64, 64, 64, 8]);
    // Every run's longest sequence is no longer than the next run's shortest.
    for (let i = 0; i + 1 < runs.length; i++) expect(Math.max(...runs[i])).toBeLessThanOrEqual(Math.min(...runs[i + 1]));
    expect(runs.flat().sort((a, b) => a - b)).toEqual([...lengths].sort((a, b) => a - b));
  });

  it('serves requests in arrival order, and a fast request before all standard ones', () => {
    const q = new RunQueue();
    const a = request();
    const b = request();
    const fast = request();
    q.add(entries(a, [5, 5]), false);
    q.add(entries(b, [1]), false);
    q.add(entries(fast, [50]), true);
    expect(q.hasFast).toBe(true);
    expect(q.take(64).map((e) => e.request)).toEqual([fast]);
    expect(q.hasFast).toBe(false);
    // a's entries and b's fill one run together (small calls coalesce).
    const run = q.take(64).map((e) => e.request);
    expect(run).toHaveLength(3);
    expect(new Set(run)).toEqual(new Set([a, b]));
  });

  it('never lets later small requests overtake the oldest request beyond one run', () => {
    const q = new RunQueue();
    const big = request();
    q.add(entries(big, Array.from({ length: 100 }, () => 100)), false);
    const small = request();
    q.add(entries(small, [1]), false);
    const first = q.take(64);
    expect(first.every((e) => e.request === big)).toBe(true);
  });

  it('remove takes out one request (fast or standard) and keeps the others in order', () => {
    const q = new RunQueue();
    const a = request();
    const b = request();
    const fast = request();
    q.add(entries(a, [1, 2]), false);
    q.add(entries(b, [3]), false);
    q.add(entries(fast, [4]), true);
    q.remove(fast);
    expect(q.hasFast).toBe(false);
    q.remove(a);
    expect(q.length).toBe(1);
    expect(q.take(64).map((e) => e.request)).toEqual([b]);
  });

  it('drain returns everything and empties the queue', () => {
    const q = new RunQueue();
    q.add(entries(request(), [1, 2, 3]), false);
    q.add(entries(request(), [4]), true);
    expect(q.drain()).toHaveLength(4);
    expect(q.length).toBe(0);
    expect(q.hasFast).toBe(false);
  });
});
