/** `labelwise batch run|list|status|results|cancel|delete`: async batch jobs (spec §7). */
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { missingArgument, validationError } from '../../errors.js';
import { parseCommand } from '../args.js';
import { writeFileAtomic } from './atomic-file.js';
import { accountOption, openJobsEngine } from './engine.js';
import { BATCH_ADMIN_OPTIONS, BATCH_RUN_OPTIONS, BATCH_USAGE, type BatchAdminValues, type BatchRunValues } from './options.js';

const ACTIONS = ['run', 'list', 'status', 'results', 'cancel', 'delete'] as const;
type Action = (typeof ACTIONS)[number];

export async function batchCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const help = argv.includes('--help') || argv.includes('-h');
  if (!action || action.startsWith('-')) {
    if (help) {
      process.stdout.write(`${BATCH_USAGE}\n`);
      return 0;
    }
    process.stderr.write(`a batch action is required\n\n${BATCH_USAGE}\n`);
    return 2;
  }
  if (!(ACTIONS as readonly string[]).includes(action)) {
    process.stderr.write(`unknown batch action "${action}"\n\n${BATCH_USAGE}\n`);
    return 2;
  }
  const parsed = parseCommand(rest, action === 'run' ? BATCH_RUN_OPTIONS : BATCH_ADMIN_OPTIONS, BATCH_USAGE);
  if (!parsed) return help ? 0 : 2;
  if (action === 'run') {
    // Imported only now: the admin actions never load the run's progress bar and file code.
    const { batchRun } = await import('./run.js');
    return batchRun(parsed.values as BatchRunValues, parsed.positionals);
  }
  return batchAdmin(action as Exclude<Action, 'run'>, parsed.values as BatchAdminValues, parsed.positionals);
}

/** One JSON answer on stdout, like the other management commands; errors are the spec's bodies (exit 2). */
async function batchAdmin(action: Exclude<Action, 'run'>, values: BatchAdminValues, positionals: string[]): Promise<number> {
  const [id, ...extra] = positionals;
  if (action === 'list' ? id !== undefined : id === undefined || extra.length > 0) {
    const usage = BATCH_USAGE.split('\n').find((line) => line.startsWith(`labelwise batch ${action} `));
    if (action === 'list') throw validationError('job_id', `batch list takes no argument; usage: ${usage}`);
    throw id === undefined ? missingArgument('job_id', `JOB_ID is required; usage: ${usage}`) : validationError('job_id', `one JOB_ID only; usage: ${usage}`);
  }
  if (values.output && action !== 'results') throw validationError('output', '-o/--output is for batch run and batch results only');
  const engine = await openJobsEngine(values);
  const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const account = accountOption(values);
  try {
    const job = id as string;
    switch (action) {
      case 'list':
        out(await engine.jobs.list(account));
        return 0;
      case 'status':
        out(await engine.jobs.get(job, account));
        return 0;
      case 'cancel':
        out(await engine.jobs.cancel(job, account));
        return 0;
      case 'delete':
        out(await engine.jobs.delete(job, account));
        return 0;
      case 'results': {
        const { stream } = await engine.jobs.download(job, account);
        if (!values.output) {
          await pipeline(stream, process.stdout);
          return 0;
        }
        const output = resolve(values.output);
        out({ job_id: job, output, bytes: await writeFileAtomic(output, stream) });
        return 0;
      }
    }
  } finally {
    await engine.close();
  }
}
