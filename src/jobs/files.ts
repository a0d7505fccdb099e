/**
 * Where a job's files live: `<dir>/<job_id>/input.ndjson`, `results.ndjson.partial` while it
 * runs, `results.ndjson` once complete (renamed into place, so a results file is always whole).
 * Uploads stream into a temporary name and are renamed into place when complete.
 */
import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { uploadEmpty, uploadNotNdjson, uploadTooLarge, uploadUnreadable } from '../errors.js';
import { LineCounter } from './lines.js';
import type { JobInput } from './types.js';

export class JobFiles {
  readonly root: string;
  /** Removed with everything in it on {@link dispose} (an in-memory engine's folder). */
  readonly ephemeral: boolean;

  constructor(root: string, options: { ephemeral?: boolean } = {}) {
    this.root = root;
    this.ephemeral = options.ephemeral ?? false;
  }

  /** Removes an ephemeral folder (its jobs cannot outlive their in-memory database). */
  async dispose(): Promise<void> {
    if (this.ephemeral) await rm(this.root, { recursive: true, force: true });
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  /** An input file of the job (each upload gets a new name; the job row says which is current). */
  input(id: string, name: string): string {
    return join(this.root, id, name);
  }

  partial(id: string): string {
    return join(this.root, id, 'results.ndjson.partial');
  }

  results(id: string): string {
    return join(this.root, id, 'results.ndjson');
  }

  /** The input key of spec §7.1: where the next upload goes, relative to the jobs folder. */
  inputKey(id: string): string {
    return `${id}/input.ndjson`;
  }

  async removeInput(id: string, name: string): Promise<void> {
    await rm(this.input(id, name), { force: true });
  }

  async removeResults(id: string): Promise<void> {
    await Promise.all([rm(this.partial(id), { force: true }), rm(this.results(id), { force: true })]);
  }

  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }

  /**
   * Streams `input` into a new input file of the job, counting bytes and lines on the way; over
   * `maxBytes` it stops with PAYLOAD_TOO_LARGE. The file gets its name only when complete: a
   * failed or aborted upload leaves no file. The caller swaps the returned name in.
   */
  async writeInput(id: string, input: JobInput, maxBytes: number, signal?: AbortSignal): Promise<{ name: string; bytes: number; lines: number }> {
    if (typeof input === 'string') await access(input, constants.R_OK).catch((err: unknown) => Promise.reject(uploadUnreadable(input, err)));
    await mkdir(this.dir(id), { recursive: true });
    const name = `input-${randomBytes(6).toString('hex')}.ndjson`;
    const temp = `${this.input(id, name)}.upload`;
    const counter = new LineCounter();
    const count = new Transform({
      transform(chunk: Buffer | string, _encoding, done) {
        const block = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (counter.bytes + block.length > maxBytes) return done(uploadTooLarge(maxBytes));
        // A binary file sent by mistake is refused at its first bytes, not read as lines of garbage.
        const binary = counter.bytes === 0 ? binaryKind(block) : undefined;
        if (binary) return done(uploadNotNdjson(binary));
        counter.push(block);
        done(null, block);
      },
      flush(done) {
        done(counter.bytes === 0 ? uploadEmpty() : null);
      },
    });
    try {
      await pipeline(source(input), count, createWriteStream(temp, { flags: 'wx' }), { signal });
      await rename(temp, this.input(id, name));
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    return { name, bytes: counter.bytes, lines: counter.lines };
  }
}

function source(input: JobInput): Readable | AsyncIterable<Uint8Array | string> {
  if (typeof input === 'string') return createReadStream(input);
  if (input instanceof Uint8Array) return Readable.from([input]);
  return input;
}

/** File signatures that are never NDJSON (a text file has no NUL byte either). */
const SIGNATURES: [string, number[]][] = [
  ['a PDF', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['a ZIP archive (DOCX, XLSX…)', [0x50, 0x4b, 0x03, 0x04]],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a gzip file', [0x1f, 0x8b]],
];

function binaryKind(head: Buffer): string | undefined {
  for (const [kind, magic] of SIGNATURES) if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return kind;
  if (head.subarray(0, 4096).includes(0)) return 'a binary file';
  return undefined;
}
