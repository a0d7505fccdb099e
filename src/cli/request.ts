import { readFile } from 'node:fs/promises';
import { fileNotJson, fileUnreadable, missingArgument } from '../errors.js';
import type { Engine, EngineOptions } from '../index.js';
import type { CliValues } from './classify-options.js';
import { noteModelConversion } from './model-note.js';

/** The label-config part of a request, built from CLI flags. */
export async function labelConfigFromFlags(values: CliValues): Promise<Record<string, unknown>> {
  if (!values.labels) throw missingArgument('labels', '--labels is required (comma-separated)');
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

/** Reads the JSON file named by `--field`; FILE_UNREADABLE / FILE_NOT_JSON name the flag. */
export async function readJsonFile(path: string, field: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw fileUnreadable(field, path, err);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw fileNotJson(field, path, err);
  }
}
