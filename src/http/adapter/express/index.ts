/**
 * Express adapter: node's adapter plus what Express adds — paths outside the base path go on
 * to `next()`, a mount path is already stripped from `req.url`, and a body that
 * `express.json()` parsed in front is used as is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpCore } from '../../core.js';
import { serveNode } from '../node/index.js';

/** Express 5 middleware over `core` (`app.use(expressMiddleware(core))`). */
export function expressMiddleware(core: HttpCore): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    if (!core.owns((req.url ?? '/').split('?')[0])) return next();
    // A body parser mounted earlier already consumed the stream: use its result.
    const { body: parsed, baseUrl } = req as IncomingMessage & { body?: unknown; baseUrl?: string };
    const used = req.readableEnded && parsed !== undefined ? { value: parsed, bytes: Number(req.headers['content-length'] ?? 0) } : undefined;
    serveNode(core, req, res, undefined, used, typeof baseUrl === 'string' ? baseUrl : '');
  };
}
