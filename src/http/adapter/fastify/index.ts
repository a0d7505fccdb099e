/**
 * Fastify 5 adapter (`labelwise/http/fastify`): a plugin that serves the `/v1` API from the
 * host-neutral core. Register it as a plugin of its own: it removes Fastify's body parsers
 * inside its own encapsulation context only (labelwise reads and limits raw bodies itself,
 * uploads included), so the rest of the app keeps Fastify's JSON parsing.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../../../engine/engine.js';
import { createCore, type HandlerStats } from '../../core.js';
import type { HandlerOptions } from '../../options.js';
import { serveNode } from '../node/index.js';

/** The plugin, with the same {@link HandlerStats} as `createHandler`'s `stats()`. */
export type LabelwiseFastifyPlugin = FastifyPluginAsync & { stats(): HandlerStats };

/**
 * A Fastify plugin serving the `/v1` API. A `prefix` given to `register` is stripped before
 * routing, like an Express mount path.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createEngine } from 'labelwise';
 * import { createFastifyPlugin } from 'labelwise/http/fastify';
 * const engine = await createEngine({ dataDir: './data' });
 * const app = Fastify();
 * await app.register(createFastifyPlugin(engine));   // /v1/…; { prefix: '/api' } → /api/v1/…
 * await app.listen({ port: 8080 });
 * ```
 */
export function createFastifyPlugin(engine: Engine, options?: HandlerOptions): LabelwiseFastifyPlugin {
  const core = createCore(engine, options);
  const plugin: FastifyPluginAsync = async (api) => {
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', (_request, _payload, done) => done(null)); // leave the body unread
    const prefix = api.prefix;
    const toCore = (request: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      const url = request.raw.url ?? '/';
      const stripped = Boolean(prefix) && url.startsWith(prefix);
      serveNode(core, request.raw, reply.raw, stripped ? url.slice(prefix.length) || '/' : url, undefined, stripped ? prefix : '');
    };
    const base = core.options.basePath;
    api.all(base || '/', toCore);
    api.all(`${base}/*`, toCore);
  };
  return Object.assign(plugin, { stats: core.stats });
}
