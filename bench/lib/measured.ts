import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './data.js';

/** models/measured.json: what `labelwise models list` shows (committed; written by the benches). */
const PATH = join(ROOT, 'models', 'measured.json');

type Entry = Record<string, unknown>;

/**
 * Merges `entries` (model → fields) into models/measured.json, so a run over some models or
 * some fields (accuracy from bench:accuracy, speed from `npm run bench` Q8) keeps the rest.
 */
export function mergeMeasured(entries: Record<string, Entry>, note: Entry = {}): void {
  let old: { models?: Record<string, Entry> } & Entry = {};
  try {
    old = JSON.parse(readFileSync(PATH, 'utf8')) as typeof old;
  } catch {
    // first run
  }
  const models = { ...old.models };
  for (const [name, fields] of Object.entries(entries)) models[name] = { ...models[name], ...fields };
  writeFileSync(PATH, `${JSON.stringify({ ...old, ...note, generated: new Date().toISOString().slice(0, 10), models }, null, 2)}\n`);
}
