/**
 * Reading NDJSON input by chunks, from any byte offset: the job's checkpoint says where the
 * next line starts, so a resumed job reads on from there without a pass over what is done.
 * One definition of "a line" serves both the upload (counting) and the runner (reading): bytes
 * up to each `\n`, plus a last line without one when it is not empty.
 */
import { createReadStream } from 'node:fs';

/** One input line: its bytes, or only the fact that it was over the line limit. */
export interface RawLine {
  index: number;
  bytes?: Buffer;
  tooLong?: true;
}

export interface LineChunk {
  lines: RawLine[];
  /** Byte offset just past the chunk's last line (the next chunk's start). */
  end: number;
}

export interface ChunkLimits {
  chunkLines: number;
  chunkBytes: number;
  maxLineBytes: number;
}

/** Yields chunks of lines from `offset` on; `firstIndex` is the index of the line starting there. */
export async function* readChunks(path: string, offset: number, firstIndex: number, limits: ChunkLimits): AsyncGenerator<LineChunk> {
  let index = firstIndex;
  let position = offset;
  let lines: RawLine[] = [];
  let bytes = 0;
  // The current (unfinished) line: its parts, unless it is already over the limit.
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;

  const endLine = (tail: Buffer) => {
    const length = partBytes + tail.length;
    if (tooLong || length > limits.maxLineBytes) lines.push({ index, tooLong: true });
    else {
      const line = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
      // A copy: the read buffer is reused by the stream, the line may outlive it.
      lines.push({ index, bytes: parts.length === 0 ? Buffer.from(line) : line });
      bytes += length;
    }
    index++;
    parts = [];
    partBytes = 0;
    tooLong = false;
  };

  const stream = createReadStream(path, { start: offset, highWaterMark: 1 << 20 });
  for await (const block of stream as AsyncIterable<Buffer>) {
    let start = 0;
    while (start < block.length) {
      const newline = block.indexOf(10, start);
      if (newline === -1) {
        const rest = block.subarray(start);
        if (!tooLong) {
          if (partBytes + rest.length > limits.maxLineBytes) {
            tooLong = true;
            parts = [];
          } else parts.push(Buffer.from(rest));
        }
        partBytes += rest.length;
        position += rest.length;
        break;
      }
      endLine(block.subarray(start, newline));
      position += newline + 1 - start;
      start = newline + 1;
      if (lines.length >= limits.chunkLines || bytes >= limits.chunkBytes) {
        yield { lines, end: position };
        lines = [];
        bytes = 0;
      }
    }
  }
  if (partBytes > 0) endLine(Buffer.alloc(0));
  if (lines.length > 0) yield { lines, end: position };
}

/** Counts lines as {@link readChunks} reads them: feed every byte of a file, then call `total`. */
export class LineCounter {
  #newlines = 0;
  #bytes = 0;
  #lastWasNewline = true;

  push(block: Uint8Array): void {
    if (block.length === 0) return;
    let at = block.indexOf(10);
    while (at !== -1) {
      this.#newlines++;
      at = block.indexOf(10, at + 1);
    }
    this.#bytes += block.length;
    this.#lastWasNewline = block[block.length - 1] === 10;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get lines(): number {
    return this.#newlines + (this.#lastWasNewline ? 0 : 1);
  }
}
