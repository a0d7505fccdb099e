#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { toErrorBody } from '../errors.js';
import { runBatch } from './batch.js';
import { runClassify } from './classify.js';

const USAGE = `labelwise — offline text classification

Usage:
  labelwise classify "text" --labels a,b,c [--tag] [--threshold 0.5]
                            [--descriptions file.json] [--examples file.json] [--text-type T]
  labelwise classify --batch --labels a,b,c [--tag] …   < in.ndjson > out.ndjson
      (NDJSON in: one {"text": "...", "id": ...} per line; out: one result per line, in order)

Options:
  --labels        comma-separated candidate labels (required)
  --tag           multi-label: every label whose confidence ≥ threshold
  --threshold     tag threshold in [0, 1] (default 0.5)
  --descriptions  JSON file {label: description}
  --examples      JSON file {label: [example, …]} (few-shot)
  --text-type     what kind of text this is, e.g. "support ticket"
  --fast          priority "fast" (no micro-batching wait)
  --cache-dir     where the converted model is cached
  --help`;

const OPTIONS = {
  labels: { type: 'string' },
  tag: { type: 'boolean', default: false },
  threshold: { type: 'string' },
  descriptions: { type: 'string' },
  examples: { type: 'string' },
  'text-type': { type: 'string' },
  fast: { type: 'boolean', default: false },
  batch: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export type CliValues = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || parsed.values.help ? 0 : 2;
  }
  if (command !== 'classify') {
    process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  return parsed.values.batch ? runBatch(parsed.values) : runClassify(rest.join(' '), parsed.values);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Errors print as the same JSON body the HTTP API uses; exit 2 for caller mistakes, 1 otherwise.
    const body = toErrorBody(err);
    process.stderr.write(`${JSON.stringify(body)}\n`);
    process.exitCode = body.code === 'INTERNAL_ERROR' ? 1 : 2;
  },
);
