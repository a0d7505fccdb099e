/**
 * The same `/v1` core on every host, one shared route contract for all of them.
 *
 * node:http:
 *   createServer(createHandler(engine)).listen(8080);
 *
 * Express 5 (paths outside /v1 fall through to next(), so later routes still answer; mount it
 * before any body parser such as express.json(), which would consume the body first):
 *   app.use(createHandler(engine));
 *
 * Fastify 5 (a plugin of its own: removing the body parsers stays encapsulated and the rest of
 * the app keeps Fastify's JSON parsing; labelwise reads and limits the raw body itself):
 *   await fastify.register(createFastifyPlugin(engine));   // from 'labelwise/http/fastify'
 * The raw-handler recipe (`reply.hijack(); handler(request.raw, reply.raw)`) still works too.
 */
import type { RequestListener } from 'node:http';
import express from 'express';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { createFastifyPlugin } from '../../src/http/adapter/fastify/index.js';
import { createHandler, type LabelwiseHandler } from '../../src/http/index.js';
import { apiClient, expectError, listen, startEngine, type ApiCall } from '../support/http-server.js';

interface Host {
  name: string;
  /** Mounts `handler` and serves it (plus a host-owned `/health` route) on an ephemeral port. */
  start(handler: LabelwiseHandler): Promise<{ origin: string; close: () => Promise<void> }>;
}

const HOSTS: Host[] = [
  { name: 'node:http', start: (handler) => listen(handler) },
  {
    name: 'express',
    start: (handler) => {
      const app = express();
      app.use(handler);
      app.get('/health', (_req, res) => {
        res.json({ ok: true, host: 'express' });
      });
      return listen(app as unknown as RequestListener);
    },
  },
  {
    name: 'fastify',
    start: async (handler) => {
      const app = Fastify();
      await app.register(createFastifyPlugin(engine));
      app.get('/health', async () => ({ ok: true, host: 'fastify' }));
      app.post('/echo', async (request) => ({ echoed: request.body }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as { port: number };
      return { origin: `http://127.0.0.1:${port}`, close: () => app.close() };
    },
  },
  {
    // The raw-handler recipe of earlier releases keeps working beside the plugin.
    name: 'fastify (raw handler)',
    start: async (handler) => {
      const app = Fastify();
      await app.register(async (api) => {
        api.removeAllContentTypeParsers();
        api.addContentTypeParser('*', (_request, _payload, done) => done(null));
        const toLabelwise = (request: FastifyRequest, reply: FastifyReply) => {
          reply.hijack();
          handler(request.raw, reply.raw);
        };
        api.all('/v1', toLabelwise);
        api.all('/v1/*', toLabelwise);
      });
      app.get('/health', async () => ({ ok: true, host: 'fastify (raw handler)' }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as { port: number };
      return { origin: `http://127.0.0.1:${port}`, close: () => app.close() };
    },
  },
];

const LABELS = ['billing', 'shipping'];
let engine: Engine;

beforeAll(async () => {
  engine = await startEngine();
});
afterAll(async () => {
  await engine?.close();
});

/** The route contract every host must pass (after hono's router `common.case` tests). */
function routeContract(host: Host, ctx: () => { call: ApiCall; key: string }) {
  it('classify and tag', async () => {
    const { call, key } = ctx();
    const classify = await call('POST', '/classify', { key, body: { text: 'I was charged twice on my card', labels: LABELS, cache: false } });
    expect(classify.status).toBe(200);
    expect(classify.body).toMatchObject({ label: 'billing', cached: false });
    expect(classify.requestId).toMatch(/^req_/);
    const tag = await call('POST', '/tag', { key, body: { text: 'My parcel is lost', labels: LABELS, threshold: 0.5 } });
    expect(tag.status).toBe(200);
    expect(tag.body.labels[0].label).toBe('shipping');
  });

  it('both batches', async () => {
    const { call, key } = ctx();
    const texts = ['refund the double charge', 'the courier never came'];
    const classify = await call('POST', '/classify/batch', { key, body: { texts, labels: LABELS } });
    expect(classify.body.results.map((r: { label: string }) => r.label)).toEqual(['billing', 'shipping']);
    const tag = await call('POST', '/tag/batch', { key, body: { texts, labels: LABELS } });
    expect(tag.status).toBe(200);
    expect(tag.body.results).toHaveLength(2);
  });

  it('classifiers: create, get, classify with it, delete, 404', async () => {
    const { call, key } = ctx();
    const name = `host-${host.name.replace(/\W/g, '')}`;
    expect((await call('POST', '/classifiers', { key, body: { name, labels: LABELS } })).status).toBe(201);
    expect((await call('GET', `/classifiers/${name}@v1`, { key })).body).toMatchObject({ name, version: 'v1', versions: ['v1'] });
    expect((await call('POST', '/classify', { key, body: { text: 'where is my package', classifier: name } })).body.label).toBe('shipping');
    expect((await call('DELETE', `/classifiers/${name}`, { key })).body).toEqual({ name, deleted: true });
    expectError(await call('GET', `/classifiers/${name}`, { key }), 404, 'CLASSIFIER_NOT_FOUND');
  });

  it('404, 405 with Allow, 401, 400, 415 and 413 come from the handler, not the host', async () => {
    const { call, key } = ctx();
    expectError(await call('GET', '/nope', { key }), 404, 'NOT_FOUND');
    const notAllowed = await call('PATCH', '/classify', { key, body: {} });
    expectError(notAllowed, 405, 'METHOD_NOT_ALLOWED');
    expect(notAllowed.headers.get('allow')).toBe('POST');
    expectError(await call('GET', '/keys'), 401, 'INVALID_API_KEY');
    expectError(await call('POST', '/classify', { key, body: '{"text":' }), 400, 'INVALID_JSON');
    expectError(await call('POST', '/classify', { key, body: 'text', headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    // The handler, not the host, enforces the 1 MB limit: the host left the body unread.
    expectError(await call('POST', '/classify', { key, body: Buffer.alloc(2_000_000, 0x20) }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('every answer is logged under its X-Request-ID', async () => {
    const { call, key } = ctx();
    const res = await call('GET', '/classifiers', { key });
    const logs = await call('GET', `/logs?request_id=${res.requestId}`, { key });
    expect(logs.body.data).toMatchObject([{ request_id: res.requestId, endpoint: '/classifiers', method: 'GET', status: 200 }]);
  });
}

describe.each(HOSTS)('$name', (host) => {
  let server: { origin: string; close: () => Promise<void> };
  let call: ApiCall;
  let key: string;

  beforeAll(async () => {
    key = (await engine.keys.create({ name: host.name })).key;
    server = await host.start(createHandler(engine));
    call = apiClient(`${server.origin}/v1`);
  });
  afterAll(async () => {
    await server?.close();
  });

  routeContract(host, () => ({ call, key }));

  if (host.name !== 'node:http') {
    it('the host keeps its own routes next to the handler', async () => {
      const res = await fetch(`${server.origin}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, host: host.name });
    });
  }
});

describe('host specifics', () => {
  it('express: a mount path is stripped before the handler sees the URL', async () => {
    const app = express();
    app.use('/api', createHandler(engine));
    const s = await listen(app as unknown as RequestListener);
    try {
      const key = (await engine.keys.create({ name: 'mounted' })).key;
      const res = await apiClient(`${s.origin}/api/v1`)('POST', '/classify', { key, body: { text: 'double charge', labels: LABELS } });
      expect(res.status).toBe(200);
      expect((await fetch(`${s.origin}/v1/classify`, { method: 'POST' })).status).toBe(404); // Express's own 404
    } finally {
      await s.close();
    }
  });

  it('express: works even behind express.json(), using the body it already parsed', async () => {
    const app = express();
    app.use(express.json());
    app.use(createHandler(engine));
    const s = await listen(app as unknown as RequestListener);
    try {
      const key = (await engine.keys.create({ name: 'behind-json' })).key;
      const res = await apiClient(`${s.origin}/v1`)('POST', '/classify', { key, body: { text: 'double charge', labels: LABELS } });
      expect(res.status).toBe(200);
      expect(LABELS).toContain(res.body.label);
    } finally {
      await s.close();
    }
  });

  it('POST /keys accepts an empty body (all fields optional)', async () => {
    const s = await listen(createHandler(engine));
    try {
      const admin = (await engine.keys.create({ name: 'admin-empty' })).key;
      const res = await fetch(`${s.origin}/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { key: string }).key).toMatch(/^lw_live_/);
    } finally {
      await s.close();
    }
  });

  it('fastify: a register prefix is stripped like an Express mount path; the plugin counts keyless answers', async () => {
    const app = Fastify();
    const plugin = createFastifyPlugin(engine);
    await app.register(plugin, { prefix: '/api' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as { port: number };
      const key = (await engine.keys.create({ name: 'fastify-prefix' })).key;
      const call = apiClient(`http://127.0.0.1:${port}/api/v1`);
      const res = await call('POST', '/classify', { key, body: { text: 'double charge', labels: LABELS } });
      expect(res.status).toBe(200);
      expect(LABELS).toContain(res.body.label);
      expectError(await call('GET', '/keys'), 401, 'INVALID_API_KEY');
      expect(plugin.stats().unauthenticated).toEqual({ '401': 1 });
      expect((await fetch(`http://127.0.0.1:${port}/v1/classify`, { method: 'POST' })).status).toBe(404); // Fastify's own 404
    } finally {
      await app.close();
    }
  });

  it('fastify: the plugin is published as labelwise/http/fastify (built package, through its exports)', async () => {
    const published = await import('labelwise/http/fastify');
    expect(typeof published.createFastifyPlugin).toBe('function');
  });

  it('fastify: routes outside the plugin still get Fastify JSON parsing', async () => {
    const fastify = HOSTS[2];
    const s = await fastify.start(createHandler(engine));
    try {
      const res = await fetch(`${s.origin}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":[1,2]}' });
      expect(await res.json()).toEqual({ echoed: { a: [1, 2] } });
    } finally {
      await s.close();
    }
  });
});
