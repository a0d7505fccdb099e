import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BATCH_OPTIONS } from '../../src/cli/jobs/options.js';
import { openStores } from '../../src/store/index.js';

// `labelwise batch …` as users run it: the built bin (npm test builds first), a real data dir,
// the real default model, real signals.
const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'lw-cli-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LABELS = 'sports,business,technology,politics,cooking';
const TOPICS = ['The match ended in a draw after extra time', 'Shares of the bank fell sharply today', 'The new laptop ships with a faster chip', 'Parliament passed the budget bill', 'Bake the bread for forty minutes'];

const cli = (args: string[], timeout = 120_000): SpawnSyncReturns<string> => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout });
const lines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const body = (stderr: string) => JSON.parse(stderr.trim().split('\n').at(-1) as string) as { code: string; details?: Record<string, unknown> };

/** `n` distinct lines with ids (distinct texts: the response cache must not shortcut the run). */
function inputFile(name: string, n: number): string {
  const path = join(dir, name);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(JSON.stringify({ id: `r${i}`, text: `${TOPICS[i % TOPICS.length]} (report ${i})` }));
  writeFileSync(path, `${out.join('\n')}\n`);
  return path;
}

describe('labelwise batch run', () => {
  const data = join(dir, 'data-small');
  const input = join(dir, 'small.ndjson');
  const output = join(dir, 'small.out.ndjson');
  writeFileSync(
    input,
    [
      '{"id":"a","text":"The striker scored twice in the cup final"}',
      'not json',
      '{"id":"b","text":"   "}',
      '{"id":"c"}',
      '{"id":"d","text":"Quarterly revenue beat the analysts\' forecast"}',
      '"a bare string is not an object"',
      '{"id":"e","text":"The new phone has a faster chip"}',
    ].join('\n') + '\n',
  );
  const args = ['batch', 'run', input, '--labels', LABELS, '-o', output, '--data', data];
  let jobId = '';

  it('runs a file end to end: one result line per input line, in order, bad lines as error lines, a one-line JSON summary', () => {
    const run = cli(args);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.split('\n')).toHaveLength(2); // one line + the newline
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ status: 'completed', lines: 7, failed: 4, resumed: false });
    expect(summary.job_id).toMatch(/^batch_[a-z0-9]{16}$/);
    expect(summary.tokens).toBeGreaterThan(0);
    expect(summary.seconds).toBeGreaterThan(0);
    jobId = summary.job_id;

    const results = lines(output);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results[0]).toMatchObject({ id: 'a', label: 'sports' });
    expect(results[1]).toMatchObject({ code: 'INVALID_JSON', tokens: 0 });
    for (const i of [2, 3, 5]) expect(results[i]).toMatchObject({ code: 'VALIDATION_ERROR', tokens: 0, error: expect.any(String) });
    expect(results[2]).toMatchObject({ id: 'b' });
    expect(results[3]).toMatchObject({ id: 'c' });
    expect(results[4]).toMatchObject({ id: 'd', label: 'business' });
    expect(results[6]).toMatchObject({ id: 'e', label: 'technology' });
    // Written by rename: no temp file is left beside the output; the sidecar names the job.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(readFileSync(`${output}.labelwise-job.json`, 'utf8'))).toMatchObject({ job_id: jobId });
  });

  it('the same command again continues the same (completed) job; another config or a changed input starts a new one', () => {
    const before = readFileSync(output, 'utf8');
    const again = cli(args);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ job_id: jobId, resumed: true, lines: 7 });
    expect(readFileSync(output, 'utf8')).toBe(before);

    const multi = cli([...args, '--mode', 'multi', '--threshold', '0']);
    expect(multi.status, multi.stderr).toBe(0);
    const multiJob = JSON.parse(multi.stdout).job_id as string;
    expect(multiJob).not.toBe(jobId);
    const tagged = lines(output);
    expect(tagged).toHaveLength(7);
    expect((tagged[0]?.labels as unknown[]).length).toBe(5); // threshold 0: every label applies

    // Same path, same config, another mtime: a different input.
    const { mtime } = statSync(input);
    utimesSync(input, mtime, new Date(mtime.getTime() + 5_000));
    const touched = cli([...args, '--mode', 'multi', '--threshold', '0']);
    expect(touched.status, touched.stderr).toBe(0);
    expect(JSON.parse(touched.stdout).job_id).not.toBe(multiJob);
  }, 180_000);

  it('list, status, results (stdout and -o), cancel and delete answer JSON; errors are the spec bodies with exit 2', () => {
    const on = (...a: string[]) => cli(['batch', ...a, '--data', data]);
    const listed = on('list');
    expect(listed.status, listed.stderr).toBe(0);
    const jobs = JSON.parse(listed.stdout) as { job_id: string; status: string }[];
    expect(jobs).toHaveLength(3);
    expect(jobs.at(-1)).toMatchObject({ job_id: jobId, status: 'completed', requests_total: 7, requests_completed: 7 });

    const status = on('status', jobId);
    expect(JSON.parse(status.stdout)).toMatchObject({ job_id: jobId, status: 'completed', mode: 'single', requests_failed: 4 });

    const results = on('results', jobId);
    expect(results.status).toBe(0);
    expect(results.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const copy = join(dir, 'copy.ndjson');
    const written = on('results', jobId, '-o', copy);
    expect(JSON.parse(written.stdout)).toMatchObject({ job_id: jobId, output: copy });
    expect(readFileSync(copy, 'utf8')).toBe(results.stdout);

    const cancel = on('cancel', jobId);
    expect(cancel.status).toBe(2);
    expect(body(cancel.stderr)).toMatchObject({ code: 'BATCH_INVALID_STATE' });

    expect(JSON.parse(on('delete', jobId).stdout)).toEqual({ job_id: jobId, deleted: true });
    const gone = on('status', jobId);
    expect(gone.status).toBe(2);
    expect(body(gone.stderr)).toMatchObject({ code: 'BATCH_NOT_FOUND' });
  }, 180_000);

  // A terminal for stderr, through util-linux `script` (a pty); where it is missing the bar cannot be seen.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('draws a progress bar (lines done/total, lines/s, ETA) only when stderr is a terminal', () => {
    const quote = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`;
    const command = [process.execPath, BIN, 'batch', 'run', input, '--labels', LABELS, '-o', join(dir, 'tty.out.ndjson'), '--data', data].map(quote).join(' ');
    const run = spawnSync('script', ['-qefc', command, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/classifying .*\d+% \| 7\/7 lines \| [\d-]+ lines\/s \| ETA /);
    expect(lines(join(dir, 'tty.out.ndjson'))).toHaveLength(7);
  });

  it('usage mistakes exit 2 with the spec error body, before any engine opens', () => {
    const noOut = cli(['batch', 'run', input, '--labels', LABELS, '--data', data]);
    expect(noOut.status).toBe(2);
    expect(body(noOut.stderr)).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'output', reason: 'missing_argument' } });
    const noLabels = cli(['batch', 'run', input, '-o', output, '--data', data]);
    expect(body(noLabels.stderr)).toMatchObject({ details: { field: 'labels' } });
    const noFile = cli(['batch', 'run', join(dir, 'absent.ndjson'), '--labels', LABELS, '-o', output, '--data', data]);
    expect(noFile.status).toBe(2);
    expect(body(noFile.stderr)).toMatchObject({ details: { field: 'input' } });
    const noDir = cli(['batch', 'run', input, '--labels', LABELS, '-o', join(dir, 'absent', 'out.ndjson'), '--data', data]);
    expect(body(noDir.stderr)).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'output' } });
    const overInput = cli(['batch', 'run', input, '--labels', LABELS, '-o', input, '--data', data]);
    expect(body(overInput.stderr)).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'output' } });
    expect(cli(['batch', 'status', '--data', data]).status).toBe(2);
    expect(cli(['batch', 'frobnicate']).status).toBe(2);
    expect(cli(['batch', 'list', '--labels', 'a']).status).toBe(2); // run's flags are run's only
    expect(cli(['batch']).status).toBe(2);
  });

  it('--help names every flag', () => {
    for (const args of [['batch', '--help'], ['batch', 'run', '--help'], ['batch', 'list', '-h']]) {
      const help = cli(args);
      expect(help.status).toBe(0);
      for (const flag of Object.keys(BATCH_OPTIONS)) expect(help.stdout, `${args.join(' ')}: --${flag}`).toContain(`--${flag}`);
    }
  });
});

/** The job's committed lines, read from the data dir's store (another process may be writing it). */
async function committed(data: string, id: string): Promise<number> {
  const stores = await openStores({ dataDir: data });
  try {
    return (await stores.jobs.get(id, 'default'))?.next_line ?? 0;
  } finally {
    await stores.close();
  }
}

/**
 * Starts `batch run` (`args` with `-o output --data data`) as a child and resolves once its job
 * has committed more than `after` lines (or the child ended first).
 */
async function runUntilCommitted(args: string[], output: string, data: string, after: number) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run = { stdout: '', stderr: '', jobId: '', at: 0 };
  child.stdout.setEncoding('utf8').on('data', (s: string) => (run.stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (run.stderr += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && running()) {
    if (!run.jobId && existsSync(`${output}.labelwise-job.json`)) run.jobId = JSON.parse(readFileSync(`${output}.labelwise-job.json`, 'utf8')).job_id;
    if (run.jobId && (run.at = await committed(data, run.jobId)) > after) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, run, exited, running };
}

describe('labelwise batch run, interrupted', () => {
  const data = join(dir, 'data-big');
  // Big enough to still be running after its first checkpoint on a fast box.
  const N = 3_000;
  const input = inputFile('big.ndjson', N);
  const output = join(dir, 'big.out.ndjson');
  const args = ['batch', 'run', input, '--labels', LABELS, '-o', output, '--data', data];
  const committedLines = (id: string) => committed(data, id);

  /** Runs the CLI until its job has committed more than `after` lines, then sends `signals`. */
  async function interrupt(after: number, signals: NodeJS.Signals[]) {
    const { child, run, exited, running } = await runUntilCommitted(args, output, data, after);
    for (const signal of signals) {
      // One at a time: a second SIGINT sent while the first is pending merges into it.
      const seen = run.stderr.length;
      child.kill(signal);
      while (running() && !run.stderr.slice(seen).includes(signal)) await new Promise((r) => setTimeout(r, 20));
    }
    return { ...(await exited), ...run };
  }

  it('Ctrl-C stops at a checkpoint and prints how to resume; the same command resumes the same job; one line per input line, in order', async () => {
    const first = await interrupt(0, ['SIGINT']);
    expect(first.at, 'interrupted after a checkpoint').toBeGreaterThan(0);
    expect(first.at, 'interrupted before the end').toBeLessThan(N);
    expect(first.code, first.stderr).toBe(130);
    expect(first.stderr).toMatch(new RegExp(`job ${first.jobId} stays processing at \\d+/${N} lines`));
    expect(first.stderr).toContain('Resume with the same command:\n  labelwise batch run ');
    expect(existsSync(output)).toBe(false);
    const resumedAt = await committedLines(first.jobId);
    expect(resumedAt).toBeLessThan(N);

    // A second Ctrl-C ends the process by the signal at once (mid-chunk, like a crash: the
    // checkpoint still holds), never by an abort of the native threads (SIGABRT, exit 134).
    const second = await interrupt(resumedAt, ['SIGINT', 'SIGINT']);
    expect(second.jobId).toBe(first.jobId);
    expect(second.signal, second.stderr).toBe('SIGINT');
    expect(second.stderr).toContain('SIGINT again: exiting now');
    expect(existsSync(output)).toBe(false);

    const last = cli(args);
    expect(last.status, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({ job_id: first.jobId, status: 'completed', lines: N, failed: 0, resumed: true });
    const results = lines(output);
    expect(results).toHaveLength(N);
    results.forEach((r, i) => {
      expect(r.index).toBe(i);
      expect(r.id).toBe(`r${i}`);
    });
  }, 240_000); // four CLI runs of a 3,000-line job: ~30 s here, far more on a loaded 2-core box
});

describe('labelwise batch cancel', () => {
  it('stops a job another process is running: that run ends with exit 1 and status cancelled, no output; delete removes it', async () => {
    const data = join(dir, 'data-cancel');
    const input = inputFile('cancel.ndjson', 3_000);
    const output = join(dir, 'cancel.out.ndjson');
    const { run, exited } = await runUntilCommitted(['batch', 'run', input, '--labels', LABELS, '-o', output, '--data', data], output, data, 0);
    expect(run.at, 'cancelled while running').toBeGreaterThan(0);
    const cancel = cli(['batch', 'cancel', run.jobId, '--data', data]);
    expect(cancel.status, cancel.stderr).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ job_id: run.jobId, status: 'cancelled' });
    expect((await exited).code, run.stderr).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ job_id: run.jobId, status: 'cancelled' });
    expect(existsSync(output)).toBe(false);

    const results = cli(['batch', 'results', run.jobId, '--data', data]);
    expect(results.status).toBe(2);
    expect(body(results.stderr)).toMatchObject({ code: 'BATCH_INVALID_STATE' });
    expect(JSON.parse(cli(['batch', 'delete', run.jobId, '--data', data]).stdout)).toEqual({ job_id: run.jobId, deleted: true });
    expect(JSON.parse(cli(['batch', 'list', '--data', data]).stdout)).toEqual([]);
  }, 240_000);
});
