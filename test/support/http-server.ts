/**
 * Shared helpers of the `/v1` adapter tests: a real engine, real servers on an ephemeral port,
 * a small JSON client over `fetch`, raw `node:net` requests for malformed HTTP, and the error
 * body assertions of spec §1.2.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { createEngine, type Engine, type EngineOptions } from '../../src/index.js';
import { createHandler, type HandlerOptions } from '../../src/http/index.js';

/** An engine on the real model with one worker (tests share the machine's few cores). */
export function startEngine(options: EngineOptions = {}): Promise<Engine> {
  return createEngine({ ...options, pool: { workers: 1, ...options.pool } });
}

/** Listens on 127.0.0.1 on a free port; `close` also drops kept-alive connections. */
export async function listen(listener: RequestListener | Server): Promise<{ server: Server; port: number; origin: string; close: () => Promise<void> }> {
  const server = typeof listener === 'function' ? createServer(listener) : listener;
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A real node:http server running `createHandler(engine, options)`. */
export async function serveApi(engine: Engine, options?: HandlerOptions) {
  const s = await listen(createHandler(engine, options));
  return { ...s, base: `${s.origin}/v1`, api: apiClient(`${s.origin}/v1`) };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: T;
  text: string;
  requestId: string | null;
}

export interface CallOptions {
  key?: string;
  /** An object is sent as JSON; a string or Buffer is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** `call(method, path, { key, body, headers })` against `base` (e.g. `http://…/v1`). */
export function apiClient(base: string) {
  return async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | Buffer | undefined;
    if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) body = options.body;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers: { ...headers, ...options.headers }, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text, requestId: res.headers.get('x-request-id') };
  };
}

export type ApiCall = ReturnType<typeof apiClient>;

/** Asserts the error body of spec §1.2 (and JSON content type) for `status`/`code`. */
export function expectError(res: ApiResponse, status: number, code: string, field?: string): void {
  expect({ status: res.status, code: res.body?.code }, res.text).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body.error).toBe(code.toLowerCase().replaceAll('_', '-'));
  expect(typeof res.body.message).toBe('string');
  expect(res.body.detail).toBe(res.body.message);
  expect(res.requestId).toMatch(/^req_[0-9a-f]{32}$/);
  if (field !== undefined) expect(res.body.details?.field).toBe(field);
  // No stack traces or file paths, ever (a frame is `at [fn (]<path>:line:col`, which a time
  // like "expired at 2026-12-02T01:27:14Z" is not).
  expect(res.text).not.toMatch(/\bat (?:\S+ \()?(?:\/|file:|node:)\S*:\d+:\d+|\/(work|home|src|dist|node_modules)\/|\.[jt]s\b/);
}

export interface RawResult {
  /** Everything the server sent before it closed (or before the client gave up). */
  response: string;
  status: number | null;
  /** Whether the server closed the connection before `waitMs`. */
  closed: boolean;
}

/**
 * Sends raw bytes on a fresh TCP connection and collects the answer until the server closes
 * the connection or `waitMs` passes (a liveness bound, not a timing assertion). Write errors
 * (the server may close while a large body is still being sent) are tolerated.
 */
export function rawRequest(port: number, chunks: (string | Buffer)[], options: { waitMs?: number; end?: boolean } = {}): Promise<RawResult> {
  const waitMs = options.waitMs ?? 10_000;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const response = Buffer.concat(received).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
      resolve({ response, status: m ? Number(m[1]) : null, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', () => undefined); // EPIPE/ECONNRESET while writing: the answer still counts
    socket.on('close', () => finish(true));
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
      if (options.end) socket.end();
    });
  });
}

/** The JSON body of a raw HTTP/1.1 response (Content-Length framed). */
export function rawJson(response: string): any {
  const body = response.slice(response.indexOf('\r\n\r\n') + 4);
  return JSON.parse(body);
}

/** A raw request head for `POST /v1/classify`-style requests. */
export function rawHead(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries({ Host: '127.0.0.1', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}
