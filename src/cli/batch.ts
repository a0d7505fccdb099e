import { fstatSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { SingleBar } from 'cli-progress';
import type { ClassifyBatchItem, Engine, TagBatchItem } from '../index.js';
import type { CliValues } from './classify-options.js';
import { engineFromFlags, labelConfigFromFlags } from './request.js';

/** Lines per engine call: large enough to fill micro-batches, small enough to stream. */
const CHUNK = 256;

interface Line {
  index: number;
  id?: unknown;
  text?: unknown;
  error?: { error: string; code: string };
}

/**
 * NDJSON in on stdin, NDJSON out on stdout, one result line per input line, in input order.
 * A line that is not JSON (or has no text) gets its own error line; it never stops the run.
 * A progress bar (bytes of stdin) goes to stderr only when stderr is a terminal.
 */
export async function runBatch(values: CliValues): Promise<number> {
  const config = await labelConfigFromFlags(values);
  const engine = await engineFromFlags(values);
  const bar = progressBar();
  try {
    let chunk: Line[] = [];
    let index = 0;
    let bytes = 0;
    for await (const raw of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      bytes += Buffer.byteLength(raw) + 1;
      if (raw.trim() === '') continue;
      chunk.push(parseLine(raw, index++));
      if (chunk.length >= CHUNK) {
        await writeChunk(engine, config, chunk, values.tag ?? false);
        bar?.update(bytes);
        chunk = [];
      }
    }
    await writeChunk(engine, config, chunk, values.tag ?? false);
    bar?.update(bytes);
    return 0;
  } finally {
    bar?.stop();
    await engine.close();
  }
}

function parseLine(raw: string, index: number): Line {
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value === 'string') return { index, text: value };
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const { id, text } = value as { id?: unknown; text?: unknown };
      return { index, id, text };
    }
    return { index, error: { error: 'each line must be a JSON object with "text"', code: 'VALIDATION_ERROR' } };
  } catch {
    return { index, error: { error: 'line is not valid JSON', code: 'INVALID_JSON' } };
  }
}

async function writeChunk(engine: Engine, config: Record<string, unknown>, lines: Line[], tag: boolean): Promise<void> {
  const valid = lines.filter((l) => !l.error);
  let items: (ClassifyBatchItem | TagBatchItem)[] = [];
  if (valid.length > 0) {
    const request = { ...config, texts: valid.map((l) => l.text) as string[] };
    items = (tag ? await engine.tagBatch(request) : await engine.classifyBatch(request)).results;
  }
  let next = 0;
  const out = lines.map((line) => {
    const head = line.id === undefined ? { index: line.index } : { index: line.index, id: line.id };
    if (line.error) return JSON.stringify({ ...head, ...line.error, tokens: 0 });
    const { cache: _cache, cached: _cached, ...result } = items[next++] as ClassifyBatchItem & { cache?: unknown };
    return JSON.stringify({ ...head, ...result });
  });
  if (out.length > 0) await write(`${out.join('\n')}\n`);
}

function write(text: string): Promise<void> {
  // Respect backpressure so a slow consumer never makes us buffer the whole output.
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

function progressBar(): SingleBar | undefined {
  if (!process.stderr.isTTY) return undefined;
  let total = 0;
  try {
    const stat = fstatSync(0);
    total = stat.isFile() ? stat.size : 0;
  } catch {
    // stdin is a pipe or terminal: size unknown
  }
  const bar = new SingleBar({
    stream: process.stderr,
    format: total ? 'classifying {bar} {percentage}% | {value}/{total} bytes | eta {eta}s' : 'classifying {value} bytes',
    hideCursor: true,
  });
  bar.start(total || 1, 0);
  return bar;
}
