import { readFile } from 'node:fs/promises';
import { LabelwiseError } from '../errors.js';
import type { Engine, EngineOptions } from '../index.js';
import type { CliValues } from './classify-options.js';
import { noteModelConversion } from './model-note.js';

/** The label-config part of a request, built from CLI flags. */
export async function labelConfigFromFlags(values: CliValues): Promise<Record<string, unknown>> {
  if (!values.labels) throw new LabelwiseError('VALIDATION_ERROR', '--labels is required (comma-separated)', { field: 'labels' });
  const config: Record<string, unknown> = { labels: values.labels.split(',').map((l) => l.trim()) };
  if (values.descriptions) config.descriptions = await readJsonFile(values.descriptions, 'descriptions');
  if (values.examples) config.examples = await readJsonFile(values.examples, 'examples');
  if (values['text-type']) config.text_type = values['text-type'];
  if (values.threshold !== undefined) config.threshold = Number(values.threshold);
  if (values.fast) config.priority = 'fast';
  return config;
}

export async function engineFromFlags(values: CliValues): Promise<Engine> {
  noteModelConversion();
  const options: EngineOptions = {};
  if (values['cache-dir']) options.cacheDir = values['cache-dir'];
  // Imported here, not at the top: `classify --help` and a flag mistake answer without loading the model stack.
  const { createEngine } = await import('../engine/create-engine.js');
  return createEngine(options);
}

async function readJsonFile(path: string, field: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new LabelwiseError('VALIDATION_ERROR', `cannot read --${field} file ${path}`, { field });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new LabelwiseError('INVALID_JSON', `--${field} file ${path} is not valid JSON`, { field });
  }
}
