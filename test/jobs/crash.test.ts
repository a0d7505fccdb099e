/**
 * SIGKILL mid-job (issue #10): a child process runs a job and is killed at several points —
 * some right after a checkpoint, some at a random moment between two — and a new process on
 * the same data dir resumes it each time. The results must have exactly one line per input
 * line, in input order, each equal to what `classifyBatch` answers, and the job must be billed
 * exactly the tokens of its lines. Real processes, real SQLite, the real model.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { tempDirs } from '../store/helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/job-child.mjs', import.meta.url));
const LINES = 400;
const LABELS = ['billing', 'shipping', 'account', 'other'];
const dirs = tempDirs();
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  dirs.cleanup();
});

function run(dataDir: string, input?: string) {
  const child = spawn(process.execPath, [CHILD, dataDir, ...(input ? [input] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exit, out: () => out, err: () => err };
}

/** Committed chunks of the only job, read from the database as another process would. */
function progress(dataDir: string): { chunks: number; next_line: number; status: string } | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(join(dataDir, 'labelwise.db'), { readonly: true, fileMustExist: true });
    return db.prepare('SELECT chunks, next_line, status FROM jobs').get() as never;
  } catch {
    return undefined; // not created (or migrated) yet
  } finally {
    db?.close();
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('a job killed with SIGKILL', () => {
  it('resumes in a new process from its last checkpoint: one line per input line, in order, none lost or repeated, billed once', async () => {
    const dataDir = dirs.make();
    const texts = Array.from({ length: LINES }, (_, i) => [`refund the double charge on invoice ${i}`, `parcel ${i} never arrived`, `reset my password please (${i})`][i % 3]);
    const input = join(dirs.make(), 'in.ndjson');
    writeFileSync(input, texts.map((text, i) => JSON.stringify(i === 17 ? { id: i, txt: text } : { id: i, text })).join('\n'));

    // Kill points: after N committed chunks, plus a random delay (0–30 ms) to land between two.
    const killAfter = [2, 9, 17, 26];
    let first = true;
    for (const target of killAfter) {
      const p = run(dataDir, first ? input : undefined);
      first = false;
      await until(() => (progress(dataDir)?.chunks ?? 0) >= target || p.out().includes('status'), `chunk ${target}`);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 30)));
      p.child.kill('SIGKILL');
      const { signal } = await p.exit;
      expect(signal, p.err()).toBe('SIGKILL');
      expect(progress(dataDir)?.status).toBe('processing');
    }
    const last = run(dataDir);
    const { code } = await last.exit;
    expect(code, last.err()).toBe(0);
    expect(last.out()).toContain('status completed');

    const lines = readFileSync(join(dataDir, 'jobs', (/job (\S+)/.exec(last.out()) as RegExpExecArray)[1], 'results.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.index)).toEqual(Array.from({ length: LINES }, (_, i) => i));
    expect(lines.map((l) => l.id)).toEqual(Array.from({ length: LINES }, (_, i) => i));
    expect(lines[17]).toMatchObject({ code: 'VALIDATION_ERROR', tokens: 0 });

    const engine = await createEngine({ pool: { workers: 1 } });
    try {
      const sync = await engine.classifyBatch({ texts: texts.map((t, i) => (i === 17 ? '' : t)), labels: LABELS, cache: false });
      expect(lines.map((l) => l.label ?? l.code)).toEqual(sync.results.map((r) => ('label' in r ? r.label : r.code)));
      expect(lines.map((l) => l.tokens)).toEqual(sync.results.map((r) => r.tokens));
      // Charged exactly once per line: the ledger's batch charges sum to the job's tokens.
      const db = new Database(join(dataDir, 'labelwise.db'), { readonly: true });
      const charged = db.prepare("SELECT sum(tokens) AS t FROM ledger WHERE kind = 'batch'").get() as { t: number };
      const job = db.prepare('SELECT tokens, failed_lines FROM jobs').get() as { tokens: number; failed_lines: number };
      db.close();
      expect(job).toEqual({ tokens: sync.total_tokens, failed_lines: 1 });
      expect(charged.t).toBe(sync.total_tokens);
    } finally {
      await engine.close();
    }
  }, 180_000);
});
