/**
 * Batch jobs over HTTP, the edges (spec §7, issue #10): hostile uploads (an empty file, a PDF
 * sent as NDJSON, a 20 MB single line, a stalled upload, a hang-up mid-upload) each end in a
 * clear error or per-line errors with the server healthy after; the absolute
 * URLs behind mounts and proxies; and what is logged (never a token).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastifyPlugin } from '../../src/http/adapter/fastify/index.js';
import { createHandler } from '../../src/http/index.js';
import type { Engine } from '../../src/index.js';
import { createJob, downloadResults, ndjson, pollDone, uploadForm, uploadPut, type Created } from '../support/batch-http.js';
import { buildPdf } from '../support/documents-pdf.js';
import { apiClient, expectError, listen, rawHead, rawJson, rawRequest, serveApi, startEngine } from '../support/http-server.js';

const IDLE_MS = 300;
let dir: string;
let engine: Engine;
let server: Awaited<ReturnType<typeof serveApi>>;
let handler: ReturnType<typeof createHandler>;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lw-batch-edges-'));
  engine = await startEngine({ dataDir: dir });
  key = (await engine.keys.create({ name: 'edges', tier: 'production' })).key;
  await engine.classify({ text: 'warm up', labels: ['a', 'b'] });
  handler = createHandler(engine, { uploads: { idleTimeoutMs: IDLE_MS } });
  const s = await listen(handler);
  server = { ...s, base: `${s.origin}/v1`, api: apiClient(`${s.origin}/v1`) };
});
afterAll(async () => {
  await server?.close();
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The job's files on disk (the engine keeps them under `<dataDir>/jobs/<id>/`). */
const jobFiles = (id: string) => (existsSync(join(dir, 'jobs', id)) ? readdirSync(join(dir, 'jobs', id)) : []);

async function healthy(): Promise<void> {
  const res = await server.api('POST', '/classify', { key, body: { text: 'I was charged twice', labels: ['billing', 'shipping'] } });
  expect(res.status, res.text).toBe(200);
  expect(res.body.label).toBe('billing');
}

async function run(job: Created): Promise<any[]> {
  const started = await server.api('POST', `/batch/${job.job_id}/start`, { key });
  expect(started.status, started.text).toBe(202);
  expect((await pollDone(server.api, key, job.job_id)).body.status).toBe('completed');
  return (await downloadResults(server.api, key, job.job_id)).lines;
}

describe('hostile uploads', () => {
  it('an empty file is 422 at upload (form or PUT), nothing kept, server healthy', async () => {
    const job = await createJob(server.api, key);
    for (const res of [await uploadForm(job, ''), await uploadPut(job, '')]) {
      expectError(res, 422, 'VALIDATION_ERROR', 'file');
      expect(res.body.details.reason).toBe('upload_empty');
    }
    expectError(await server.api('POST', `/batch/${job.job_id}/start`, { key }), 409, 'BATCH_INPUT_MISSING');
    await healthy();
  });

  it('a PDF uploaded as NDJSON is 415 at its first bytes, nothing kept; a file of only bad lines gets a failed line each', async () => {
    const pdf = buildPdf([{ text: ['Invoice 42', 'Total due: 99 EUR'] }]);
    const job = await createJob(server.api, key);
    for (const res of [await uploadPut(job, pdf), await uploadForm(job, pdf)]) {
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.details.reason).toBe('upload_not_ndjson');
    }
    expectError(await server.api('POST', `/batch/${job.job_id}/start`, { key }), 409, 'BATCH_INPUT_MISSING');
    expect(jobFiles(job.job_id).filter((f) => f.includes('input'))).toEqual([]);
    // Text that is not NDJSON (the PDF's own text lines): every line answered with its error.
    const bad = ['not json at all', '{"text": ""}', '{"no_text": 1}', '[1, 2]', '{"text": "unterminated'];
    const up = await uploadPut(job, `${bad.join('\n')}\n`);
    expect(up.status, up.text).toBe(200);
    const lines = await run(job);
    expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
    for (const l of lines) {
      expect(l.tokens).toBe(0);
      expect(typeof l.error).toBe('string');
      expect(typeof l.code).toBe('string');
    }
    expect((await server.api('GET', `/batch/${job.job_id}`, { key })).body.requests_failed).toBe(5);
    await healthy();
  });

  it('a 20 MB single line (over the 1 MB real-time limit): uploaded, answered with a per-line error; the next line still classified', async () => {
    const job = await createJob(server.api, key);
    const huge = `${JSON.stringify({ id: 'huge', text: 'x'.repeat(20 * 1024 * 1024) })}\n${JSON.stringify({ id: 'small', text: 'Where is my parcel?' })}\n`;
    const up = await uploadPut(job, huge);
    expect(up.status, up.text).toBe(200);
    expect(up.body.requests_total).toBe(2);
    const lines = await run(job);
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatchObject({ index: 0, code: 'PAYLOAD_TOO_LARGE', tokens: 0 });
    expect(lines[1]).toMatchObject({ index: 1, id: 'small' });
    expect(typeof lines[1].label).toBe('string');
    await healthy();
  });

  it('a stalled upload (PUT or form) ends with 400 after uploads.idleTimeoutMs and keeps nothing', async () => {
    const job = await createJob(server.api, key);
    const stall = (first: string) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode(first)); // …and nothing more, never the end
        },
      });
    const put = await uploadPut(job, stall('{"text": "half a li'));
    expectError(put, 400, 'INVALID_JSON');
    expect(put.body.details.reason).toBe('body_stalled');
    expect(put.headers.get('connection')).toBe('close');

    const boundary = 'lwboundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n${job.upload_fields.token}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="in.ndjson"\r\nContent-Type: application/x-ndjson\r\n\r\n{"text": "half`;
    const res = await fetch(job.upload_url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: stall(head), duplex: 'half' } as RequestInit);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { details: { reason: string } }).details.reason).toBe('body_stalled');

    expect((await server.api('GET', `/batch/${job.job_id}`, { key })).body.requests_total).toBe(0);
    expectError(await server.api('POST', `/batch/${job.job_id}/start`, { key }), 409, 'BATCH_INPUT_MISSING');
    expect(jobFiles(job.job_id).filter((f) => f.includes('input'))).toEqual([]);
    await healthy();
  });

  it('a client that hangs up mid-upload leaves nothing behind (logged as 499 under the job\'s account)', async () => {
    const job = await createJob(server.api, key);
    // A raw socket promising 4 MB, sending 64 KB of lines, then destroyed: a real hang-up.
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const path = `${new URL(job.upload_url).pathname}?token=${encodeURIComponent(job.upload_fields.token)}`;
    socket.write(rawHead('PUT', path, { 'Content-Type': 'application/x-ndjson', 'Content-Length': 4 * 1024 * 1024 }));
    socket.write(ndjson(Array.from({ length: 2000 }, (_, i) => `line ${i}`)).slice(0, 64 * 1024));
    // Hang up once the server is reading (the job's temporary upload file exists).
    for (let i = 0; !jobFiles(job.job_id).some((f) => f.endsWith('.upload')); i++) {
      if (i > 400) throw new Error('the upload never started');
      await new Promise((r) => setTimeout(r, 10));
    }
    socket.destroy();
    // The server has finished with it once its row is written.
    let row;
    for (let i = 0; !row; i++) {
      if (i > 400) throw new Error('no row for the upload');
      [row] = (await engine.logs({ endpoint: '/batch/{id}/upload', status: 499 } as never)).data;
      if (!row) await new Promise((r) => setTimeout(r, 10));
    }
    expect(row).toMatchObject({ status: 499, method: 'PUT', key_id: null, error_code: 'CLIENT_CLOSED_REQUEST' });
    expectError(await server.api('POST', `/batch/${job.job_id}/start`, { key }), 409, 'BATCH_INPUT_MISSING');
    expect(jobFiles(job.job_id).filter((f) => f.includes('input'))).toEqual([]);
    await healthy();
  });
});

describe('logs and stats', () => {
  it('token requests are recorded under the job\'s account with key_id null; no token is stored; bad tokens write nothing', async () => {
    const before = handler.stats().unauthenticated['401'] ?? 0;
    const job = await createJob(server.api, key);
    const up = await uploadForm(job, ndjson(['I was charged twice']));
    await run(job);
    const { results } = await downloadResults(server.api, key, job.job_id);
    const bad = await uploadPut(job, ndjson(['x']), { token: 'lwt_forged.token' });
    expect(bad.status).toBe(401);
    expect(handler.stats().unauthenticated['401']).toBe(before + 1);

    const { data } = await engine.logs({ limit: 100 } as never);
    const upload = data.find((r) => r.request_id === up.requestId);
    expect(upload).toMatchObject({ endpoint: '/batch/{id}/upload', method: 'POST', status: 200, key_id: null });
    expect(data.some((r) => r.endpoint === '/batch/{id}/download' && r.status === 200 && r.key_id === null)).toBe(true);
    expect(data.some((r) => r.request_id === bad.requestId)).toBe(false);
    expect(data.find((r) => r.endpoint === '/batch/{id}/results')?.key_id).toMatch(/^key_/);
    const everything = JSON.stringify([data, await engine.usage({ group_by: 'endpoint' } as never)]);
    const downloadToken = new URL(results.body.download_url).searchParams.get('token') as string;
    for (const secret of [job.upload_fields.token, downloadToken]) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('token=');
  });
});

describe('absolute URLs', () => {
  const created = async (base: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/batch`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ labels: ['a', 'b'] }) });
    expect(res.status).toBe(201);
    return (await res.json()) as Created;
  };

  it('publicUrl wins; X-Forwarded-* only count with trustProxy', async () => {
    const forwarded = { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    for (const [options, expected] of [
      [{ publicUrl: 'https://api.example.com/labelwise/v1/' }, 'https://api.example.com/labelwise/v1'],
      [{}, null],
      [{ trustProxy: true }, 'https://evil.example/v1'],
    ] as const) {
      const h = await listen(createHandler(engine, options));
      try {
        const job = await created(`${h.origin}/v1`, forwarded);
        expect(job.upload_url).toBe(`${expected ?? `${h.origin}/v1`}/batch/${job.job_id}/upload`);
      } finally {
        await h.close();
      }
    }
  });

  it('publicUrl must be an absolute http(s) URL without query, fragment or credentials', () => {
    for (const publicUrl of ['api.example.com/v1', 'ftp://api.example.com/v1', 'https://api.example.com/v1?x=1', 'https://u:p@api.example.com/v1', 'https://api.example.com/v1#top']) {
      expect(() => createHandler(engine, { publicUrl }), publicUrl).toThrow(/publicUrl/);
    }
  });

  it('an Express mount path and a Fastify prefix are part of the URLs, and they work', async () => {
    const app = express();
    app.use('/api', createHandler(engine));
    const e = await listen(app as unknown as RequestListener);
    const f = Fastify();
    await f.register(createFastifyPlugin(engine), { prefix: '/svc' });
    await f.listen({ port: 0, host: '127.0.0.1' });
    try {
      const fastifyOrigin = `http://127.0.0.1:${(f.server.address() as { port: number }).port}`;
      for (const base of [`${e.origin}/api/v1`, `${fastifyOrigin}/svc/v1`]) {
        const job = await created(base);
        expect(job.upload_url).toBe(`${base}/batch/${job.job_id}/upload`);
        const up = await uploadForm(job, ndjson(['hello']));
        expect(up.status, up.text).toBe(200);
        expect(up.body.requests_total).toBe(1);
      }
    } finally {
      await e.close();
      await f.close();
    }
  });

  it('a Host header that is not a host name is refused (422 host) before a job is created', async () => {
    const newest = async () => (await server.api('GET', '/batch', { key })).body[0]?.job_id;
    const before = await newest();
    const body = JSON.stringify({ labels: ['a', 'b'] });
    const r = await rawRequest(server.port, [rawHead('POST', '/v1/batch', { Host: 'evil.example/x?y=', Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' }) + body]);
    expect(r.status).toBe(422);
    expect(rawJson(r.response).details.field).toBe('host');
    expect(await newest()).toBe(before);
  });
});
