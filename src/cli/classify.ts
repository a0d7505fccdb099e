import { parseCommand } from './args.js';
import { runBatch } from './batch.js';
import { CLASSIFY_OPTIONS, type CliValues } from './classify-options.js';
import { engineFromFlags, labelConfigFromFlags } from './request.js';

const USAGE = `labelwise classify "text" --labels a,b,c [options]
labelwise classify --batch --labels a,b,c [options] < in.ndjson > out.ndjson

  --labels        comma-separated candidate labels (required)
  --tag           multi-label: every label whose confidence ≥ threshold
  --threshold     tag threshold in [0, 1] (default 0.5)
  --descriptions  JSON file {label: description}
  --examples      JSON file {label: [example, …]} (few-shot)
  --text-type     what kind of text this is, e.g. "support ticket"
  --fast          priority "fast" (no micro-batching wait)
  --batch         NDJSON in ({"text": …, "id": …} per line), NDJSON out, in order
  --cache-dir     where the converted model is cached`;

export async function classifyCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, CLASSIFY_OPTIONS, USAGE);
  if (!parsed) return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
  const values = parsed.values as CliValues;
  if (values.batch) return runBatch(values);
  return runClassify(parsed.positionals.join(' '), values);
}

/** One-shot classification: prints the JSON response on stdout. */
async function runClassify(text: string, values: CliValues): Promise<number> {
  const request = { ...(await labelConfigFromFlags(values)), text };
  const engine = await engineFromFlags(values);
  try {
    const response = values.tag ? await engine.tag(request) : await engine.classify(request);
    process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
