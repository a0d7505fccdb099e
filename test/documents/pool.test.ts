/**
 * The document pool (issue #8): files and images are read on worker threads of their own under
 * a busy-time budget; over it the worker is terminated and the read gets DOCUMENT_ERROR; the
 * pool is bounded; close() ends its threads, and a process exits promptly after engine.close().
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { DocumentReader } from '../../src/documents/index.js';
import { normalizeText } from '../../src/documents/text.js';
import { buildDocx, textImage } from '../support/documents-files.js';
import { blankRunDocx, tinyRunsDocx } from '../support/documents-hostile.js';

const b64 = (b: Buffer) => b.toString('base64');
/** Keeps a worker busy for seconds (mammoth over 4,000,000 runs). */
const busyDocx = b64(tinyRunsDocx(4_000_000));
const readers: DocumentReader[] = [];
const reader = (options: ConstructorParameters<typeof DocumentReader>[0]) => {
  const r = new DocumentReader(options);
  readers.push(r);
  return r;
};
afterAll(() => Promise.all(readers.map((r) => r.close())));

/** Threads started while `fn` runs, and whether each has exited since. */
async function threadsOf(fn: () => Promise<void>): Promise<{ started: Worker[]; alive: () => number }> {
  const started: Worker[] = [];
  const exited = new Set<Worker>();
  const grab = (w: Worker) => {
    started.push(w);
    w.once('exit', () => exited.add(w));
  };
  process.on('worker', grab);
  try {
    await fn();
  } finally {
    process.off('worker', grab);
  }
  return { started, alive: () => started.filter((w) => !exited.has(w)).length };
}

describe('budget', () => {
  it('a document over its budget ends its worker and gets DOCUMENT_ERROR naming the budget; the next read works', async () => {
    const r = reader({ budgetMs: 300, workers: 1, ocr: false });
    expect((await r.read({ file: b64(buildDocx(['warm up'])) })).text).toBe('warm up');
    const started = performance.now();
    const err = await r.read({ file: busyDocx }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(err).toMatchObject({ code: 'DOCUMENT_ERROR', status: 422, details: { field: 'file' } });
    expect((err as Error).message).toMatch(/file took more than 300 ms to read and was stopped \(document time budget exceeded\)/);
    // The budget runs from the worker's start on the task (not the queue), so: 300 ms plus the hop.
    expect(elapsed).toBeLessThan(5_000);
    expect((await r.read({ file: b64(buildDocx(['after the budget'])) })).text).toBe('after the budget');
  });

  it('an image has its own budget and field', async () => {
    const r = reader({ budgetMs: 1, workers: 1, ocr: false });
    // Decoding and downscaling a 7 MP image takes longer than 1 ms on any machine.
    const err = await r.read({ image: [b64(textImage(['x'], 'png', { width: 3500, height: 2000 }))] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DOCUMENT_ERROR', details: { field: 'image.0' } });
    expect((err as Error).message).toMatch(/image\.0 took more than 1 ms/);
  });

  it('a file yielding more text than maxTextChars is refused in the worker', async () => {
    const r = reader({ maxTextChars: 1_000, workers: 1 });
    const err = await r.read({ file: b64(buildDocx(['word '.repeat(300)])) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DOCUMENT_ERROR', details: { field: 'file' } });
    expect((err as Error).message).toMatch(/more than 1000 characters of text/);
  });
});

describe('abort', () => {
  it("a caller's abort ends the read on its worker with the caller's reason; the pool goes on", async () => {
    const r = reader({ workers: 1, budgetMs: 60_000, ocr: false });
    const reason = new Error('client disconnected');
    const controller = new AbortController();
    const running = r.read({ file: busyDocx }, controller.signal).catch((e: unknown) => e);
    setTimeout(() => controller.abort(reason), 300);
    const started = performance.now();
    expect(await running).toBe(reason);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await r.read({ file: b64(buildDocx(['after the abort'])) })).text).toBe('after the abort');
  });
});

describe('bounds', () => {
  it('past workers + maxQueue reads at once: OVERLOADED (retryable); a lone read always fits', async () => {
    const r = reader({ workers: 1, maxQueue: 1, budgetMs: 60_000, ocr: false });
    const first = r.read({ file: busyDocx }).catch((e: unknown) => e);
    const second = r.read({ file: busyDocx }).catch((e: unknown) => e);
    const third = await r.read({ file: b64(buildDocx(['one too many'])) }).catch((e: unknown) => e);
    expect(third).toMatchObject({ code: 'OVERLOADED', status: 503, details: { retry_after: 2 } });
    await r.close(); // ends the two busy reads
    expect(await first).toMatchObject({ code: 'DOCUMENT_ERROR' });
    expect(await second).toMatchObject({ code: 'DOCUMENT_ERROR' });
    expect((await r.read({ file: b64(buildDocx(['fits now'])) })).text).toBe('fits now');
  });
});

describe('close()', () => {
  it('ends a read in flight at once with DOCUMENT_ERROR and terminates the pool threads', async () => {
    const r = new DocumentReader({ workers: 2, budgetMs: 60_000, ocr: false });
    let running!: Promise<unknown>;
    const threads = await threadsOf(async () => {
      await r.read({ file: b64(buildDocx(['warm up'])) });
      running = r.read({ file: busyDocx }).catch((e: unknown) => e);
      await new Promise((res) => setTimeout(res, 300));
    });
    expect(threads.started).toHaveLength(2);
    const started = performance.now();
    await r.close();
    const err = await running;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(err).toMatchObject({ code: 'DOCUMENT_ERROR', details: { field: 'file' } });
    expect((err as Error).message).toMatch(/closed/);
    await expect.poll(threads.alive, { timeout: 2_000 }).toBe(0);
    await r.close(); // idempotent
  });

  it('engine.close() during a document read: the process exits by itself, promptly', async () => {
    const script = fileURLToPath(new URL('./fixtures/close-and-exit.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    let printedAt = 0;
    child.stdout.once('data', () => (printedAt = performance.now()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const exitMs = performance.now() - printedAt;
    expect(code, err).toBe(0);
    const result = JSON.parse(out.trim());
    expect(result.label).toBe('billing');
    expect(result.busy).toMatch(/^DOCUMENT_ERROR: .*closed/);
    expect(result.closeMs).toBeLessThan(3_000);
    expect(exitMs).toBeLessThan(3_000); // nothing left holding the event loop open
  }, 90_000);
});

describe('normalizeText', () => {
  it('drops blanks before line ends, collapses blank runs and blank lines, unifies line ends', () => {
    expect(normalizeText('  a  \t b \t\r\nc\t\r\r\n\n\n\nd   ')).toBe('a b\nc\n\nd');
    expect(normalizeText('x' + ' '.repeat(100_000) + 'y')).toBe('x y');
    expect(normalizeText('\t\t')).toBe('');
  });

  it('DOCX with a word, 100,000 spaces and a word reads as two words', async () => {
    const r = reader({ workers: 1 });
    expect((await r.read({ file: b64(blankRunDocx('refund', ' ', 100_000, 'invoice')) })).text).toBe('refund invoice');
  });
});
