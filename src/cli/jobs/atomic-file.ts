import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Streams `source` into `path` all or nothing: into a temp file beside it (same file system, so
 * the rename is atomic), flushed to disk, then renamed over `path`. A crash or an abort leaves
 * the old file (or none), never a partial one. Returns the bytes written.
 */
export async function writeFileAtomic(path: string, source: Readable, signal?: AbortSignal): Promise<number> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const sink = createWriteStream(temp);
    await pipeline(source, sink, { signal });
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    return sink.bytesWritten;
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
