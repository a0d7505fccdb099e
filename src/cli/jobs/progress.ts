import { SingleBar } from 'cli-progress';
import type { JobInfo } from '../../jobs/types.js';

/** How often the bar asks the engine for the job's counters. */
const POLL_MS = 500;

/**
 * A progress bar on stderr (lines done/total, lines/s of this run, ETA), fed by polling the
 * job. Only when stderr is a terminal: a log file or a pipe gets no carriage-return noise.
 * Returns the function that stops it (idempotent), drawing `last` first when given: a job that
 * finishes between two polls still ends on its true count.
 */
export function showProgress(poll: () => Promise<JobInfo>, stream: NodeJS.WriteStream = process.stderr): (last?: JobInfo) => void {
  if (!stream.isTTY) return () => {};
  const bar = new SingleBar({
    stream,
    format: 'classifying {bar} {percentage}% | {value}/{total} lines | {rate} lines/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 20,
    fps: 5,
  });
  let started = false;
  let first = { at: 0, done: 0 };
  let busy = false;
  let stopped = false;
  const draw = (job: JobInfo) => {
    const now = Date.now();
    if (!started) {
      // The rate counts this run's lines only: a resumed job starts at its checkpoint.
      first = { at: now, done: job.requests_completed };
      bar.start(Math.max(job.requests_total, 1), job.requests_completed, { rate: '-' });
      started = true;
      return;
    }
    const seconds = (now - first.at) / 1000;
    const rate = seconds > 0 ? ((job.requests_completed - first.done) / seconds).toFixed(0) : '-';
    bar.setTotal(Math.max(job.requests_total, 1));
    bar.update(job.requests_completed, { rate });
  };
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const job = await poll();
      if (!stopped) draw(job);
    } catch {
      // The engine is closing (Ctrl-C): the bar stops with the run.
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), POLL_MS);
  return (last) => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    if (last) draw(last);
    if (started) bar.stop();
  };
}
