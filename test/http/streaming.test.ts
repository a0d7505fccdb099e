/**
 * The host-neutral core carries streamed bodies both ways: a route that declares a streaming
 * body reads it with backpressure under its own byte limit, and a route may answer with a
 * stream. Proven end to end on a real server with test-only routes (an upload that hashes
 * what it reads, an NDJSON download) built through the core's own route type — nothing of
 * them lives in src.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { toHostRequest, writeResponse } from '../../src/http/adapter/node/index.js';
import { createCore } from '../../src/http/core.js';
import type { HostResponse } from '../../src/http/host.js';
import type { Route } from '../../src/http/route.js';
import { defaultRoutes } from '../../src/http/routes/index.js';
import { expectError, listen, rawHead, rawJson, rawRequest, startEngine } from '../support/http-server.js';

const MB = 1_048_576;
const UPLOAD_LIMIT = 64 * MB;

// A full collection before each memory sample, so garbage that is merely uncollected yet is
// not mistaken for data held on to.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Live memory above a baseline, sampled every 8 MB by whoever moves the bytes. The first
 * sample is warm-up (socket buffers, lazily made pools) and is left out: what must hold is
 * that memory does not grow with the bytes moved.
 */
class MemoryWatch {
  readonly #base = liveBytes();
  readonly samples: number[] = [];
  sample(): void {
    this.samples.push(liveBytes() - this.#base);
  }
  /** The largest sample after warm-up. */
  get peak(): number {
    expect(this.samples.length).toBeGreaterThanOrEqual(5);
    return Math.max(...this.samples.slice(1));
  }
}

let upload: { watch?: MemoryWatch; error?: unknown; started?: () => void } = {};
const later = { reached: () => undefined as void };
const download: { finished: Promise<'done' | 'aborted'>; settle: (how: 'done' | 'aborted') => void; watch?: MemoryWatch } = newDownload();
function newDownload() {
  let settle!: (how: 'done' | 'aborted') => void;
  const finished = new Promise<'done' | 'aborted'>((r) => (settle = r));
  return { finished, settle };
}

/** Test-only routes, typed by the core's own route type. */
const echoRoutes: Route[] = [
  {
    method: 'PUT', path: '/test/upload', scope: 'batch', summary: 'hashes a streamed body',
    stream: { maxBytes: UPLOAD_LIMIT },
    handle: async (ctx) => {
      const hash = createHash('sha256');
      let next = 8 * MB;
      try {
        for await (const chunk of ctx.body!.readable) {
          hash.update(chunk as Buffer);
          upload.started?.();
          if (ctx.body!.received >= next) {
            upload.watch?.sample();
            next += 8 * MB;
          }
        }
      } catch (err) {
        upload.error = err;
        throw err;
      }
      return { status: 200, body: { bytes: ctx.body!.received, sha256: hash.digest('hex'), complete: ctx.body!.complete } };
    },
  },
  {
    method: 'PUT', path: '/test/small', scope: 'batch', summary: 'a streamed body with a 2 MB limit',
    stream: { maxBytes: 2 * MB },
    handle: async (ctx) => {
      for await (const _ of ctx.body!.readable) void _;
      return { status: 200, body: { bytes: ctx.body!.received } };
    },
  },
  {
    method: 'PUT', path: '/test/ignore', scope: 'batch', summary: 'answers without reading its streamed body',
    stream: { maxBytes: UPLOAD_LIMIT },
    handle: async () => ({ status: 200, body: { ignored: true } }),
  },
  {
    method: 'PUT', path: '/test/later', scope: 'batch', summary: 'waits for the client to hang up before it would read its body',
    stream: { maxBytes: UPLOAD_LIMIT },
    handle: async (ctx) => {
      later.reached();
      await new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }));
      await new Promise((r) => setTimeout(r, 10)); // the body's own error has been emitted by now
      throw ctx.signal.reason;
    },
  },
  {
    method: 'GET', path: '/test/lines', scope: 'batch', summary: 'streams NDJSON lines',
    handle: async (ctx) => {
      const total = Number(ctx.query.get('n'));
      async function* lines() {
        let how: 'done' | 'aborted' = 'aborted';
        try {
          for (let i = 0; i < total; i += 1000) {
            if (ctx.signal.aborted) return;
            let chunk = '';
            for (let j = i; j < Math.min(total, i + 1000); j++) chunk += `${JSON.stringify({ index: j, label: 'billing', confidence: 0.9412, pad: 'x'.repeat(40) })}\n`;
            yield chunk;
          }
          how = 'done';
        } finally {
          download.settle(how);
        }
      }
      return { status: 200, contentType: 'application/x-ndjson', stream: lines() };
    },
  },
];

let engine: Engine;
let key: string;
let server: Awaited<ReturnType<typeof listen>>;
let base: string;
/** The core's answer to the latest request (resolves after its usage row was recorded). */
let answered: Promise<HostResponse>;

beforeAll(async () => {
  engine = await startEngine();
  key = (await engine.keys.create({ name: 'streams', tier: 'production' })).key;
  // Load the model now: its 28 MB read is not what the memory samples below are about.
  await engine.classify({ text: 'warm up', labels: ['a', 'b'] });
  const core = createCore(engine, { limits: { timeoutMs: 2_000 } }, [...defaultRoutes, ...echoRoutes]);
  // The node adapter's own pieces, with the core's answer kept for the test to await.
  server = await listen((req: IncomingMessage, res: ServerResponse) => {
    answered = core.handle(toHostRequest(req, res));
    void answered.then((response) => writeResponse(res, response));
  });
  base = `${server.origin}/v1`;
});
afterAll(async () => {
  await server?.close();
  await engine?.close();
});

/** `count` chunks of 256 KB, each a fresh allocation, pulled only when the client can send. */
function generated(count: number, hash = createHash('sha256')) {
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === count) return controller.close();
      const chunk = Buffer.alloc(256 * 1024, i++ % 251);
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  return { stream, digest: () => hash.digest('hex') };
}

/**
 * Uploads `count` fresh 256 KB chunks on a raw socket, writing only when the socket drains
 * (so the client itself holds at most a chunk), and collects the raw answer.
 */
function socketUpload(path: string, count: number, hash: ReturnType<typeof createHash>): Promise<{ status: number; response: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const response = Buffer.concat(received).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]), response });
    });
    socket.once('connect', async () => {
      socket.write(rawHead('PUT', `/v1${path}`, { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson', 'Content-Length': count * 256 * 1024, Connection: 'close' }));
      for (let i = 0; i < count; i++) {
        const chunk = Buffer.alloc(256 * 1024, i % 251);
        hash.update(chunk);
        if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
      }
    });
  });
}

const put = (path: string, body: ReadableStream<Uint8Array>, signal?: AbortSignal) =>
  fetch(`${base}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' }, body, duplex: 'half', signal } as RequestInit);

describe('a route with a streaming body', () => {
  it('reads a 50 MB upload with backpressure: every byte arrives, live memory stays far below the upload', async () => {
    upload = { watch: new MemoryWatch() };
    const sent = createHash('sha256');
    const res = await socketUpload('/test/upload', 200, sent); // 50 MB
    expect(res.status, res.response.slice(0, 300)).toBe(200);
    expect(rawJson(res.response)).toEqual({ bytes: 50 * MB, sha256: sent.digest('hex'), complete: true });
    // Holding the body (or letting the client run ahead of the reader) would reach ≥ 48 MB by
    // the last sample; measured here: < 1 MB alone, a transient 26 MB in a loaded run.
    expect(upload.watch!.peak).toBeLessThan(36 * MB);
  });

  it('over its own limit (chunked, no Content-Length) is 413 naming that limit, and the connection is closed', async () => {
    const head = rawHead('PUT', '/v1/test/small', { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson', 'Transfer-Encoding': 'chunked' });
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    const res = await rawRequest(server.port, [head, ...Array.from({ length: 40 }, () => frame), '0\r\n\r\n']);
    expect(res.status, res.response.slice(0, 200)).toBe(413);
    expect(res.response).toMatch(/\r\nConnection: close\r\n/i);
    expect(rawJson(res.response)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit_bytes: 2 * MB } });
    expect(res.closed).toBe(true);
  });

  it('a Content-Length over the limit is refused before reading; the 1 MB real-time limit does not apply below it', async () => {
    const head = rawHead('PUT', '/v1/test/upload', { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson', 'Content-Length': UPLOAD_LIMIT + 1 });
    const res = await rawRequest(server.port, [head]);
    expect(res.status).toBe(413);
    expect(res.response).toMatch(/\r\nConnection: close\r\n/i);
    const small = generated(8); // 2 MB: over the real-time limit, well under this route's
    expect((await put('/test/upload', small.stream)).status).toBe(200);
  });

  it('an answer that leaves the body unread closes the connection, so the rest is never parsed as a request', async () => {
    const head = rawHead('PUT', '/v1/test/ignore', { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson', 'Content-Length': 4 * MB });
    const res = await rawRequest(server.port, [head, Buffer.alloc(64 * 1024, 0x61)]);
    expect(res.status).toBe(200);
    expect(res.response).toMatch(/\r\nConnection: close\r\n/i);
    expect(res.closed).toBe(true);
  });

  it('a client that hangs up mid-upload errors the route\'s stream with CLIENT_CLOSED_REQUEST, logged as 499', async () => {
    let started!: () => void;
    const reached = new Promise<void>((r) => (started = r));
    upload = { started };
    // A raw socket that sends a head promising 32 MB, then 256 KB chunks until the route reads,
    // then is destroyed: a real hang-up (fetch's abort may keep the socket open for a while).
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(rawHead('PUT', '/v1/test/upload', { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson', 'Content-Length': 32 * MB }));
    let reading = false;
    void reached.then(() => (reading = true));
    while (!reading) {
      if (!socket.write(Buffer.alloc(256 * 1024, 0x62))) await new Promise((r) => socket.once('drain', r));
      await new Promise((r) => setImmediate(r));
    }
    socket.destroy();
    const response = await answered;
    expect(response.status).toBe(499);
    expect(upload.error).toMatchObject({ code: 'CLIENT_CLOSED_REQUEST' });
    const [row] = (await engine.logs({ request_id: String(response.headers['X-Request-ID']) })).data;
    expect(row).toMatchObject({ status: 499, error_code: 'CLIENT_CLOSED_REQUEST', endpoint: '/test/upload', method: 'PUT' });
  });

  it('a hang-up while the route is not reading its body yet is a 499, not an unhandled stream error', async () => {
    const reached = new Promise<void>((r) => (later.reached = r));
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(rawHead('PUT', '/v1/test/later', { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson', 'Content-Length': 4 * MB }));
    socket.write(Buffer.alloc(64 * 1024, 0x63));
    await reached;
    socket.destroy();
    const response = await answered;
    expect(response.status).toBe(499);
    // The server still answers.
    expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
  });

  it('JSON routes keep the 1 MB real-time limit beside it', async () => {
    const res = await fetch(`${base}/classify`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: Buffer.alloc(2 * MB, 0x20) });
    expectError({ status: res.status, headers: res.headers, body: await res.json(), text: '', requestId: res.headers.get('x-request-id') }, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('a route that answers with a stream', () => {
  it('streams 50 MB of NDJSON chunked, every line in order, with live memory far below the answer', async () => {
    const n = 500_000; // ≈ 50 MB
    Object.assign(download, newDownload(), { watch: new MemoryWatch() });
    const res = await fetch(`${base}/test/lines?n=${n}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    let lines = 0;
    let bytes = 0;
    let rest = '';
    let next = 8 * MB;
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      const text = rest + decoder.decode(chunk, { stream: true });
      const parts = text.split('\n');
      rest = parts.pop() as string;
      for (const line of parts) {
        if (JSON.parse(line).index !== lines) throw new Error(`line ${lines} out of order`);
        lines++;
      }
      if (bytes >= next) {
        download.watch!.sample();
        next += 8 * MB;
      }
    }
    expect({ lines, rest }).toEqual({ lines: n, rest: '' });
    expect(bytes).toBeGreaterThan(45 * MB);
    expect(await download.finished).toBe('done');
    expect(download.watch!.peak).toBeLessThan(36 * MB);
    // The answer was logged (before it was sent) like any other keyed request.
    const [row] = (await engine.logs({ request_id: res.headers.get('x-request-id') as string })).data;
    expect(row).toMatchObject({ status: 200, endpoint: '/test/lines', method: 'GET' });
  });

  it('a client that hangs up mid-download stops the route\'s source (its signal aborts, its generator is closed)', async () => {
    Object.assign(download, newDownload());
    const abort = new AbortController();
    const res = await fetch(`${base}/test/lines?n=100000000`, { headers: { authorization: `Bearer ${key}` }, signal: abort.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    abort.abort();
    expect(await download.finished).toBe('aborted');
    // The server is healthy after it.
    expect((await fetch(`${base}/test/lines?n=3`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.text())).split('\n')).toHaveLength(4);
  });
});
