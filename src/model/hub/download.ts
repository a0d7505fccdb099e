import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hubChecksumMismatch, hubDenied, hubDownloadInterrupted, hubError, hubNotFound } from '../../errors.js';

/** Progress of one file: bytes on disk so far (resumed bytes included) of `total`. */
export type ProgressFn = (received: number, total: number | undefined) => void;

export interface DownloadOptions {
  /** Sent as `Authorization: Bearer …` (the hub's access token). */
  token?: string;
  /** Expected lower-case hex SHA-256; a mismatch deletes the partial file and fails. */
  sha256: string;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  /** Fail a connection that sends nothing for this long (ms). @default 30000 */
  stallMs?: number;
  /** Connections tried per file; each one resumes where the last stopped. @default 4 */
  attempts?: number;
  /** Wait before connection n+1: n × this (ms), so a briefly overloaded hub is not hammered. @default 500 */
  retryDelayMs?: number;
}

/**
 * Downloads `url` to `dest` the way `huggingface_hub` does: into `dest + '.part'`, resuming an
 * existing partial file with `Range: bytes=N-` (a server that ignores the range restarts it),
 * retrying a cut connection from where it stopped, checking the SHA-256 of the whole file, and
 * only then renaming it into place — so `dest` is either absent or complete and verified.
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      await fetchInto(url, part, options);
      break;
    } catch (err) {
      // Only an interrupted transfer is worth another connection; 404s, auth and checksums are final.
      if (!(err instanceof Interrupted) || attempt >= attempts || options.signal?.aborted) {
        throw err instanceof Interrupted ? hubDownloadInterrupted(url, attempt, err.cause) : err;
      }
      await new Promise((resolve) => setTimeout(resolve, attempt * (options.retryDelayMs ?? 500)));
    }
  }
  const actual = await sha256File(part);
  if (actual !== options.sha256) {
    await rm(part, { force: true });
    throw hubChecksumMismatch(url, options.sha256, actual);
  }
  await rename(part, dest);
}

/** A transfer that stopped early (connection cut, stall, 5xx): resumable. */
class Interrupted extends Error {}

async function fetchInto(url: string, part: string, options: DownloadOptions): Promise<void> {
  const have = await sizeOf(part);
  const headers: Record<string, string> = { 'user-agent': 'labelwise' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (have > 0) headers.range = `bytes=${have}-`;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const stallMs = options.stallMs ?? 30_000;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${stallMs} ms`)), stallMs);
  };
  try {
    arm();
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: 'follow', signal: controller.signal });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new Interrupted('connection failed', { cause: err });
    }
    if (response.status === 416 && have > 0) {
      // The partial file already holds every byte (or more): let the checksum decide.
      await response.body?.cancel();
      return;
    }
    if (!response.ok) throw await httpError(url, response);
    const resumed = response.status === 206;
    const lengthHeader = Number(response.headers.get('content-length'));
    const total = Number.isFinite(lengthHeader) && lengthHeader > 0 ? lengthHeader + (resumed ? have : 0) : undefined;
    let received = resumed ? have : 0;
    options.onProgress?.(received, total);
    const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
    const closed = new Promise<void>((resolve, reject) => out.once('close', resolve).once('error', reject));
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        received += chunk.length;
        options.onProgress?.(received, total);
      }
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new Interrupted('connection cut', { cause: err });
    } finally {
      out.end();
      await closed;
    }
    if (total !== undefined && received < total) throw new Interrupted(`connection closed at ${received} of ${total} bytes`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function httpError(url: string, response: Response): Promise<Error> {
  await response.body?.cancel();
  const { status } = response;
  if (status === 404) return hubNotFound(url, status);
  if (status === 401 || status === 403) {
    return hubDenied(url, status);
  }
  if (status === 429 || status >= 500) return new Interrupted(`hub answered ${status}`);
  return hubError(url, status);
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Lower-case hex SHA-256 of a file, streamed (model files are hundreds of MB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
