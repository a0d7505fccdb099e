/**
 * node:http (and node:https) adapter: translates `IncomingMessage`/`ServerResponse` to the
 * host-neutral core and back. Express and Fastify reuse it: their requests are node's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HttpCore } from '../../core.js';
import type { HostRequest, HostResponse } from '../../host.js';

/**
 * The core's view of a node request. `url` defaults to `req.url` (a host that strips a mount
 * prefix passes what is left); `signal` aborts when the connection closes before `res` finished.
 */
export function toHostRequest(req: IncomingMessage, res: ServerResponse, url = req.url ?? '/', parsed?: HostRequest['parsed'], mountPath = ''): HostRequest {
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  return {
    method: req.method ?? 'GET',
    url,
    headers: req.headers,
    remoteAddress: req.socket?.remoteAddress,
    secure: (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true,
    mountPath,
    body: () => Readable.toWeb(req) as ReadableStream<Uint8Array>,
    parsed,
    signal: abort.signal,
  };
}

/** Writes the core's answer; a streamed body is piped with backpressure. */
export async function writeResponse(res: ServerResponse, response: HostResponse): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, response.headers);
  const { body } = response;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    res.end(body);
    return;
  }
  try {
    await pipeline(body, res);
  } catch {
    // The client hung up (the route saw its signal abort) or the source failed midway: the
    // connection is already destroyed, so the client sees a truncated answer, not a whole one.
    res.destroy();
  }
}

/** Serves one node request through `core`. */
export function serveNode(core: HttpCore, req: IncomingMessage, res: ServerResponse, url?: string, parsed?: HostRequest['parsed'], mountPath?: string): void {
  void core.handle(toHostRequest(req, res, url, parsed, mountPath)).then((response) => writeResponse(res, response));
}

/** A node:http request listener over `core` (`createServer(nodeListener(core))`). */
export function nodeListener(core: HttpCore): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => serveNode(core, req, res);
}
