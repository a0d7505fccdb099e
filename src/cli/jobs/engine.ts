import { resolve } from 'node:path';
import type { Engine } from '../../index.js';
import { noteModelConversion } from '../model-note.js';

/** The part of the engine the batch commands use. */
export type JobsEngine = Pick<Engine, 'jobs' | 'close'>;

/**
 * An engine on the data dir `data`. Opening it resumes the jobs left `processing` there (the
 * engine does that by itself); closing it stops them at their last checkpoint.
 */
export async function openJobsEngine(values: { data: string; 'cache-dir'?: string }): Promise<JobsEngine> {
  noteModelConversion();
  // Imported here, not at the top: `batch --help` and a flag mistake answer without loading the model stack.
  const { createEngine } = await import('../../engine/create-engine.js');
  return createEngine({ dataDir: resolve(values.data), ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}) });
}

/** `{account}` when the user named one, for the JobsApi calls. */
export function accountOption(values: { account?: string }): { account?: string } {
  return values.account ? { account: values.account } : {};
}
