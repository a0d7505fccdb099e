/**
 * Inputs of the batch-job bench (Q9): N varied texts written as NDJSON into a temporary folder
 * (never the repo), streamed so a million-line file is never held in memory.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTexts, sentences } from './data.js';

/** `realistic`: AG News rows (~40 words); `short`: 6-word generated sentences (same distribution at every N). */
export type JobTextKind = 'realistic' | 'short';

/**
 * `n` texts, lazily. Realistic: the AG News rows (or data.ts's generated sentences), and past the
 * file's 1,900 rows each pass rotates every row's words by one more place — a new text with the
 * same words, so the token-length distribution stays the file's and no two lines repeat (the
 * engine computes every line anyway with the cache off, but nothing can share work between equal
 * lines either). Short: deterministic pseudo-random 6-word sentences.
 */
export function* jobTexts(n: number, kind: JobTextKind): Generator<string> {
  if (kind === 'short') {
    yield* sentences(n, 6, 7);
    return;
  }
  const rows = loadTexts(Math.min(n, 1900)).texts;
  const words = rows.map((t) => t.split(' '));
  for (let i = 0; i < n; i++) {
    const pass = Math.floor(i / rows.length);
    const w = words[i % rows.length];
    const k = pass % w.length;
    yield pass === 0 ? rows[i] : [...w.slice(k), ...w.slice(0, k)].join(' ');
  }
}

/** Writes `{"id":i,"text":…}` lines; resolves with the bytes written. */
export async function writeJobFile(path: string, texts: Iterable<string>): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  let i = 0;
  let buf: string[] = [];
  const flush = async () => {
    const block = buf.join('');
    buf = [];
    bytes += Buffer.byteLength(block);
    if (!out.write(block)) await once(out, 'drain');
  };
  for (const text of texts) {
    buf.push(`${JSON.stringify({ id: i++, text })}\n`);
    if (buf.length >= 1000) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return bytes;
}

/**
 * A file of at least `bytes` bytes of valid NDJSON lines (realistic texts, repeated: for the
 * upload only, which never parses them), written in 1 MiB blocks.
 */
export async function writeBigFile(path: string, bytes: number): Promise<number> {
  const lines: string[] = [];
  let blockBytes = 0;
  let i = 0;
  for (const text of jobTexts(1900, 'realistic')) {
    const line = `${JSON.stringify({ id: i++, text })}\n`;
    lines.push(line);
    blockBytes += Buffer.byteLength(line);
    if (blockBytes >= 1 << 20) break;
  }
  const block = Buffer.from(lines.join(''));
  const out = createWriteStream(path);
  let written = 0;
  while (written < bytes) {
    if (!out.write(block)) await once(out, 'drain');
    written += block.length;
  }
  out.end();
  await once(out, 'finish');
  return written;
}

/** A fresh temporary folder under the OS temp dir, and its removal. */
export async function tempFolder(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `labelwise-bench-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
