/**
 * Batch jobs over HTTP (spec §7, issue #10): the whole lifecycle with a real client — the
 * multipart form and the raw PUT — and every §7 error, against a real engine on a temporary
 * data dir and a real server on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src/index.js';
import { createJob, downloadResults, ndjson, pollDone, uploadForm, uploadPut } from '../support/batch-http.js';
import { expectError, rawHead, rawJson, rawRequest, serveApi, startEngine } from '../support/http-server.js';

const LIMIT = 256 * 1024;
let dir: string;
let engine: Engine;
let server: Awaited<ReturnType<typeof serveApi>>;
let key: string;
let otherKey: string;
let classifyOnly: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lw-batch-http-'));
  engine = await startEngine({ dataDir: dir, jobs: { maxUploadBytes: LIMIT, chunkLines: 64 } }); // small chunks: cancel is prompt
  key = (await engine.keys.create({ name: 'batch', tier: 'production' })).key;
  otherKey = (await engine.keys.create({ name: 'other', tier: 'production' }, { account: 'other' })).key;
  classifyOnly = (await engine.keys.create({ name: 'no-batch', scopes: ['classify'] })).key;
  await engine.classify({ text: 'warm up', labels: ['a', 'b'] }); // closing mid model-load can abort the process
  server = await serveApi(engine);
});
afterAll(async () => {
  await server?.close();
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const TEXTS = ['I was charged twice for my order', 'Where is my parcel? It has not arrived', 'Refund the duplicate payment please'];

describe('the lifecycle over HTTP', () => {
  it('create → multipart upload → start → poll → results → download → delete', async () => {
    const job = await createJob(server.api, key);
    expect(job.job_id).toMatch(/^batch_[a-z0-9]{16}$/);
    expect(job.status).toBe('pending');
    expect(job.upload_url).toBe(`${server.base}/batch/${job.job_id}/upload`);
    expect(Object.keys(job.upload_fields).sort()).toEqual(['key', 'token']);
    expect(job.upload_fields.key).toBe(job.input_key);
    expect(Date.parse(job.expires_at)).toBeGreaterThan(Date.now());

    const uploaded = await uploadForm(job, ndjson(TEXTS));
    expect(uploaded.status, uploaded.text).toBe(200);
    expect(uploaded.body).toMatchObject({ job_id: job.job_id, status: 'pending', requests_total: 3 });

    const started = await server.api('POST', `/batch/${job.job_id}/start`, { key });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toEqual({ job_id: job.job_id, status: 'processing' });

    const done = await pollDone(server.api, key, job.job_id);
    expect(done.body).toMatchObject({ job_id: job.job_id, status: 'completed', mode: 'single', requests_total: 3, requests_completed: 3, requests_failed: 0 });

    const listed = await server.api('GET', '/batch', { key });
    expect(listed.status).toBe(200);
    expect(Array.isArray(listed.body)).toBe(true);
    expect(listed.body.find((j: { job_id: string }) => j.job_id === job.job_id)).toMatchObject({ status: 'completed', requests_total: 3, requests_completed: 3 });

    const { lines, response, results } = await downloadResults(server.api, key, job.job_id);
    expect(results.body.job_id).toBe(job.job_id);
    expect(results.body.download_url.startsWith(`${server.base}/batch/${job.job_id}/download?token=`)).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(lines.map((l) => [l.index, l.id])).toEqual([[0, 't0'], [1, 't1'], [2, 't2']]);
    expect(lines.map((l) => l.label)).toEqual(['billing', 'shipping', 'billing']);
    for (const l of lines) expect(l.confidence).toBeGreaterThan(0);

    const deleted = await server.api('DELETE', `/batch/${job.job_id}`, { key });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ job_id: job.job_id, deleted: true });
    expectError(await server.api('GET', `/batch/${job.job_id}`, { key }), 404, 'BATCH_NOT_FOUND');
    // The download URL dies with the job.
    expect((await fetch(results.body.download_url)).status).toBe(404);
  });

  it('the same with a raw PUT, the token as ?token= or as a Bearer header; multi mode', async () => {
    for (const via of ['query', 'bearer'] as const) {
      const job = await createJob(server.api, key, { labels: ['billing', 'shipping'], mode: 'multi', threshold: 0 });
      const put = await uploadPut(job, ndjson(TEXTS), { via });
      expect(put.status, put.text).toBe(200);
      expect(put.body.requests_total).toBe(3);
      expect((await server.api('POST', `/batch/${job.job_id}/start`, { key })).status).toBe(202);
      expect((await pollDone(server.api, key, job.job_id)).body.status).toBe('completed');
      const { lines } = await downloadResults(server.api, key, job.job_id);
      expect(lines.map((l) => l.index)).toEqual([0, 1, 2]);
      // threshold 0: every label applies, each with its confidence.
      for (const l of lines) expect(l.labels.map((s: { label: string }) => s.label).sort()).toEqual(['billing', 'shipping']);
      expect((await server.api('DELETE', `/batch/${job.job_id}`, { key })).status).toBe(200);
    }
  });

  it('a chunked PUT (no Content-Length) streams in too, and a second upload replaces the first', async () => {
    const job = await createJob(server.api, key);
    const bytes = new TextEncoder().encode(ndjson(TEXTS));
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, 10));
        c.enqueue(bytes.subarray(10));
        c.close();
      },
    });
    expect((await uploadPut(job, body)).body.requests_total).toBe(3);
    expect((await uploadForm(job, ndjson(['only one']))).body.requests_total).toBe(1);
  });

  it('cancel stops a job: cancelled, and its results are refused', async () => {
    const job = await createJob(server.api, key);
    expect((await uploadPut(job, ndjson(Array.from({ length: 3000 }, (_, i) => `text number ${i}`)))).status).toBe(200);
    expect((await server.api('POST', `/batch/${job.job_id}/start`, { key })).status).toBe(202);
    const cancelled = await server.api('POST', `/batch/${job.job_id}/cancel`, { key });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body.job_id).toBe(job.job_id);
    expect((await pollDone(server.api, key, job.job_id)).body.status).toBe('cancelled');
    expectError(await server.api('GET', `/batch/${job.job_id}/results`, { key }), 409, 'BATCH_INVALID_STATE');
  });
});

describe('the §7 errors', () => {
  it('409 BATCH_INPUT_MISSING: start before an upload', async () => {
    const job = await createJob(server.api, key);
    expectError(await server.api('POST', `/batch/${job.job_id}/start`, { key }), 409, 'BATCH_INPUT_MISSING');
  });

  it('409 BATCH_INVALID_STATE: results before the job completed', async () => {
    const job = await createJob(server.api, key);
    expectError(await server.api('GET', `/batch/${job.job_id}/results`, { key }), 409, 'BATCH_INVALID_STATE');
    await uploadPut(job, ndjson(TEXTS));
    expectError(await server.api('GET', `/batch/${job.job_id}/results`, { key }), 409, 'BATCH_INVALID_STATE');
  });

  it('409 BATCH_CONCURRENCY_LIMIT and BATCH_INVALID_STATE (delete) while another job is processing', async () => {
    const long = await createJob(server.api, key);
    const next = await createJob(server.api, key);
    expect((await uploadPut(long, ndjson(Array.from({ length: 3000 }, (_, i) => `a long job, line ${i}`)))).status).toBe(200);
    expect((await uploadPut(next, ndjson(TEXTS))).status).toBe(200);
    expect((await server.api('POST', `/batch/${long.job_id}/start`, { key })).status).toBe(202);
    try {
      expectError(await server.api('POST', `/batch/${next.job_id}/start`, { key }), 409, 'BATCH_CONCURRENCY_LIMIT');
      expectError(await server.api('DELETE', `/batch/${long.job_id}`, { key }), 409, 'BATCH_INVALID_STATE');
      // Another account is not held up by it.
      const theirs = await createJob(server.api, otherKey);
      await uploadPut(theirs, ndjson(TEXTS));
      expect((await server.api('POST', `/batch/${theirs.job_id}/start`, { key: otherKey })).status).toBe(202);
      expect((await pollDone(server.api, otherKey, theirs.job_id)).body.status).toBe('completed');
    } finally {
      await server.api('POST', `/batch/${long.job_id}/cancel`, { key });
      await pollDone(server.api, key, long.job_id);
    }
  });

  it('404 BATCH_NOT_FOUND: an unknown job, another account\'s job, a path that is no job id', async () => {
    const theirs = await createJob(server.api, otherKey);
    for (const path of ['/batch/batch_0000000000000000', `/batch/${theirs.job_id}`, '/batch/..%2F..%2Fetc']) {
      expectError(await server.api('GET', path, { key }), 404, 'BATCH_NOT_FOUND');
    }
    for (const [method, suffix] of [['POST', '/start'], ['POST', '/cancel'], ['GET', '/results'], ['DELETE', '']]) {
      expectError(await server.api(method, `/batch/${theirs.job_id}${suffix}`, { key }), 404, 'BATCH_NOT_FOUND');
    }
    expect((await server.api('GET', '/batch', { key })).body.some((j: { job_id: string }) => j.job_id === theirs.job_id)).toBe(false);
    // Still there for its owner.
    expect((await server.api('GET', `/batch/${theirs.job_id}`, { key: otherKey })).status).toBe(200);
  });

  it('403 PERMISSION_DENIED without the batch scope; 401 without a key', async () => {
    const job = await createJob(server.api, key);
    for (const [method, path] of [['POST', '/batch'], ['GET', '/batch'], ['GET', `/batch/${job.job_id}`], ['POST', `/batch/${job.job_id}/start`], ['GET', `/batch/${job.job_id}/results`], ['DELETE', `/batch/${job.job_id}`]]) {
      expectError(await server.api(method, path, { key: classifyOnly, body: method === 'POST' ? { labels: ['a', 'b'] } : undefined }), 403, 'PERMISSION_DENIED');
      expectError(await server.api(method, path), 401, 'INVALID_API_KEY');
    }
  });

  it('422 for a bad job config, naming the field', async () => {
    expectError(await server.api('POST', '/batch', { key, body: { labels: ['a', 'a'] } }), 422, 'VALIDATION_ERROR', 'labels');
    expectError(await server.api('POST', '/batch', { key, body: { labels: ['a', 'b'], mode: 'many' } }), 422, 'VALIDATION_ERROR', 'mode');
    expectError(await server.api('POST', '/batch', { key, body: { classifier: 'nope' } }), 404, 'CLASSIFIER_NOT_FOUND');
  });

  it('401 for a missing, tampered, wrong-purpose or other job\'s token; nothing is stored', async () => {
    const job = await createJob(server.api, key);
    const other = await createJob(server.api, key);
    const token = job.upload_fields.token;
    const tampered = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
    const cases = [
      await uploadForm(job, ndjson(TEXTS), { fields: { key: job.upload_fields.key } }),
      await uploadForm(job, ndjson(TEXTS), { fields: { ...job.upload_fields, token: tampered } }),
      await uploadForm(job, ndjson(TEXTS), { fields: other.upload_fields }),
      await uploadPut(job, ndjson(TEXTS), { token: tampered }),
      await uploadPut(job, ndjson(TEXTS), { token: other.upload_fields.token, via: 'bearer' }),
      await uploadPut(job, ndjson(TEXTS), { token: key, via: 'bearer' }), // an API key is not an upload token
    ];
    for (const res of cases) expectError(res, 401, 'INVALID_API_KEY');
    expect(cases.map((r) => r.body.details.reason)).toEqual(['job_token_missing', ...Array(5).fill('job_token_invalid')]);
    expect((await server.api('GET', `/batch/${job.job_id}`, { key })).body.requests_total).toBe(0);
    expectError(await server.api('POST', `/batch/${job.job_id}/start`, { key }), 409, 'BATCH_INPUT_MISSING');
    // A download token does not upload, an upload token does not download.
    const done = await createJob(server.api, key);
    await uploadPut(done, ndjson(TEXTS));
    await server.api('POST', `/batch/${done.job_id}/start`, { key });
    await pollDone(server.api, key, done.job_id);
    const { results } = await downloadResults(server.api, key, done.job_id);
    const downloadToken = new URL(results.body.download_url).searchParams.get('token') as string;
    expectError(await uploadPut(done, ndjson(TEXTS), { token: downloadToken }), 401, 'INVALID_API_KEY');
    expectError(await server.api('GET', `/batch/${done.job_id}/download?token=${encodeURIComponent(done.upload_fields.token)}`), 401, 'INVALID_API_KEY');
    expectError(await server.api('GET', `/batch/${done.job_id}/download`), 401, 'INVALID_API_KEY');
  });

  it('401 for an expired upload token and an expired download URL (the engine\'s clock moved past tokenTtlMs); nothing stored', async () => {
    const job = await createJob(server.api, key);
    const done = await createJob(server.api, key);
    await uploadPut(done, ndjson(TEXTS));
    await server.api('POST', `/batch/${done.job_id}/start`, { key });
    await pollDone(server.api, key, done.job_id);
    const results = await server.api('GET', `/batch/${done.job_id}/results`, { key });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.parse(job.expires_at) + 1);
      for (const res of [await uploadForm(job, ndjson(TEXTS)), await uploadPut(job, ndjson(TEXTS))]) {
        expectError(res, 401, 'INVALID_API_KEY');
        expect(res.body.details.reason).toBe('job_token_expired');
      }
      vi.setSystemTime(Date.parse(results.body.expires_at) + 1);
      const expired = await fetch(results.body.download_url);
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { details: { reason: string } }).details.reason).toBe('job_token_expired');
    } finally {
      vi.useRealTimers();
    }
    expectError(await server.api('POST', `/batch/${job.job_id}/start`, { key }), 409, 'BATCH_INPUT_MISSING');
    // A fresh download URL works again.
    expect((await downloadResults(server.api, key, done.job_id)).lines.length).toBe(3);
  });

  it('413 PAYLOAD_TOO_LARGE over jobs.maxUploadBytes: before reading, mid-stream, in a form; nothing kept', async () => {
    const job = await createJob(server.api, key);
    const big = `${JSON.stringify({ text: 'x'.repeat(LIMIT) })}\n`;
    expectError(await uploadPut(job, big), 413, 'PAYLOAD_TOO_LARGE');
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    expectError(await uploadPut(job, chunked), 413, 'PAYLOAD_TOO_LARGE');
    expectError(await uploadForm(job, big), 413, 'PAYLOAD_TOO_LARGE');
    // Refused on its head alone: the server does not wait for a body it would not take.
    for (const [method, type] of [['PUT', 'application/x-ndjson'], ['POST', 'multipart/form-data; boundary=x']]) {
      const extra = method === 'POST' ? 1024 * 1024 : 0; // a form may add its fields around the file
      const path = `${new URL(job.upload_url).pathname}?token=${encodeURIComponent(job.upload_fields.token)}`;
      const raw = await rawRequest(server.port, [rawHead(method, path, { 'Content-Type': type, 'Content-Length': LIMIT + extra + 1 })]);
      expect(raw.status, raw.response).toBe(413);
      expect(rawJson(raw.response).details).toMatchObject({ reason: 'body_too_large', limit_bytes: LIMIT + extra });
      expect(raw.closed).toBe(true);
    }
    expectError(await server.api('POST', `/batch/${job.job_id}/start`, { key }), 409, 'BATCH_INPUT_MISSING');
    // Up to the limit is fine, and the 1 MB real-time limit does not apply (the limit here is below it; see batch-hostile for 20 MB).
    const fits = `${JSON.stringify({ text: 'y'.repeat(LIMIT - 20) })}\n`;
    expect((await uploadPut(job, fits)).status).toBe(200);
  });

  it('415 UNSUPPORTED_MEDIA_TYPE: a PUT that is not application/x-ndjson, a POST that is not a form', async () => {
    const job = await createJob(server.api, key);
    expectError(await uploadPut(job, ndjson(TEXTS), { contentType: 'application/json' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await uploadPut(job, ndjson(TEXTS), { contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const post = await fetch(`${job.upload_url}?token=${job.upload_fields.token}`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: ndjson(TEXTS) });
    expect(post.status).toBe(415);
    // charset parameters are fine.
    expect((await uploadPut(job, ndjson(TEXTS), { contentType: 'application/x-ndjson; charset=utf-8' })).status).toBe(200);
  });

  it('422 for a form without a file part, with a second file part, or with the token after the file (401)', async () => {
    const job = await createJob(server.api, key);
    expectError(await uploadForm(job, '', { noFile: true }), 422, 'VALIDATION_ERROR', 'file');
    expectError(await uploadForm(job, ndjson(TEXTS), { extraFiles: 1 }), 422, 'VALIDATION_ERROR', 'file');
    // The token must come first: a file before it is refused, nothing of it read.
    const late = await uploadForm(job, ndjson(TEXTS), { fieldsAfter: true });
    expectError(late, 401, 'INVALID_API_KEY');
    expect(late.body.details.reason).toBe('job_token_missing');
    // A second file part that arrives well after a complete first one still fails the upload:
    // the first file is not kept (its stream ends only once the whole form was read).
    const b = 'lwform';
    const part1 = `--${b}\r\nContent-Disposition: form-data; name="token"\r\n\r\n${job.upload_fields.token}\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.ndjson"\r\n\r\n${ndjson(TEXTS)}\r\n--${b}\r\n`;
    const part2 = `Content-Disposition: form-data; name="file"; filename="b.ndjson"\r\n\r\n${ndjson(['late'])}\r\n--${b}--\r\n`;
    const body = new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(new TextEncoder().encode(part1));
        await new Promise((r) => setTimeout(r, 300)); // time enough for the first file to be stored if it were let through
        c.enqueue(new TextEncoder().encode(part2));
        c.close();
      },
    });
    const res = await fetch(job.upload_url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${b}` }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(422);
    // None of these kept anything.
    expectError(await server.api('POST', `/batch/${job.job_id}/start`, { key }), 409, 'BATCH_INPUT_MISSING');
  });
});
