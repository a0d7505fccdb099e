/** `createClient` against a real server: same shapes as the in-process engine, typed errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabelwiseError, toErrorBody, type Engine } from '../../src/index.js';
import { createClient, type LabelwiseClient } from '../../src/client/index.js';
import { serveApi, startEngine } from '../support/http-server.js';

const LABELS = ['billing', 'shipping', 'technical'];
const TEXT = 'The app keeps crashing whenever I open the settings page';

let engine: Engine;
let srv: Awaited<ReturnType<typeof serveApi>>;
let client: LabelwiseClient;

beforeAll(async () => {
  engine = await startEngine();
  const { key } = await engine.keys.create({ name: 'client' });
  srv = await serveApi(engine, { tiers: { production: { requestsPerMinute: 2 } } });
  client = createClient({ baseUrl: srv.base, apiKey: key });
});
afterAll(async () => {
  await srv?.close();
  await engine?.close();
});

/** Rejection of `p` as a LabelwiseError. */
async function failure(p: Promise<unknown>): Promise<LabelwiseError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabelwiseError);
  return err as LabelwiseError;
}
const sameShape = (a: object, b: object) => expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
const without = <T extends object>(o: T, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

describe('classification methods match the in-process engine', () => {
  it('classify and tag: same label and confidence as engine.classify / engine.tag on the same text', async () => {
    const request = { text: TEXT, labels: LABELS, cache: false };
    const [remote, local] = [await client.classify(request), await engine.classify(request)];
    sameShape(remote, local);
    expect(without(remote, 'latency_ms')).toEqual(without(local, 'latency_ms'));
    expect(client.lastResponse).toMatchObject({ status: 200, requestId: expect.stringMatching(/^req_[0-9a-f]{32}$/) });
    expect(client.lastResponse?.headers.get('x-cache')).toBe('MISS');

    const tagRequest = { ...request, threshold: 0.3 };
    const [remoteTag, localTag] = [await client.tag(tagRequest), await engine.tag(tagRequest)];
    expect(without(remoteTag, 'latency_ms')).toEqual(without(localTag, 'latency_ms'));
  });

  it('classifyBatch and tagBatch: same results item by item', async () => {
    const request = { texts: [TEXT, '', 'Please refund the duplicate payment'], labels: LABELS, cache: false };
    const [remote, local] = [await client.classifyBatch(request), await engine.classifyBatch(request)];
    expect(remote.results).toEqual(local.results);
    expect(remote.total_tokens).toBe(local.total_tokens);
    const [remoteTag, localTag] = [await client.tagBatch(request), await engine.tagBatch(request)];
    expect(remoteTag.results).toEqual(localTag.results);
  });
});

describe('management methods match the in-process engine', () => {
  it('classifiers: create, list, get (name and name@v1), delete', async () => {
    const v1 = await client.classifiers.create({ name: 'tickets', labels: LABELS });
    const v2 = await client.classifiers.create({ name: 'tickets', labels: LABELS, threshold: 0.3 });
    expect([v1.version, v2.version]).toEqual(['v1', 'v2']);
    expect(await client.classifiers.list()).toEqual(await engine.classifiers.list());
    expect(await client.classifiers.get('tickets')).toEqual(await engine.classifiers.get('tickets'));
    expect(await client.classifiers.get('tickets@v1')).toEqual(await engine.classifiers.get('tickets@v1'));
    expect(await client.classify({ text: TEXT, classifier: 'tickets@v1', cache: false })).toMatchObject(
      without(await engine.classify({ text: TEXT, classifier: 'tickets@v1', cache: false }), 'latency_ms'),
    );
    expect(await client.classifiers.delete('tickets')).toEqual({ name: 'tickets', deleted: true });
    expect((await engine.classifiers.list()).classifiers).toEqual([]);
  });

  it('keys: create shows the secret once, list and revoke match the engine', async () => {
    const created = await client.keys.create({ name: 'made-remotely', scopes: ['classify'] });
    expect(created.key).toMatch(/^lw_live_/);
    const local = await engine.keys.create({ name: 'made-locally' });
    sameShape(created, local);
    expect(await client.keys.list()).toEqual(await engine.keys.list());
    const revoked = await client.keys.revoke(created.id);
    expect(revoked).toEqual((await engine.keys.list()).keys.find((k) => k.id === created.id));
    expect(revoked.revoked).toBe(true);
  });

  it('balance, usage and logs have the engine shapes', async () => {
    expect(await client.balance()).toEqual(await engine.balance());
    for (const group_by of ['day', 'endpoint', 'key', 'priority'] as const) {
      const [remote, local] = [await client.usage({ group_by }), await engine.usage({ group_by })];
      sameShape(remote, local);
      expect(remote.group_by).toBe(group_by);
      expect(remote.data.map((r) => Object.keys(r).sort())).toEqual(local.data.map((r) => Object.keys(r).sort()));
    }
    const usage = await client.usage({ start: new Date(Date.now() - 3_600_000), group_by: 'hour' });
    expect(usage.data.length).toBeGreaterThan(0);

    await client.classify({ text: 'log me', labels: LABELS });
    const id = client.lastResponse?.requestId as string;
    const remote = await client.logs({ request_id: id });
    expect(remote).toEqual(await engine.logs({ request_id: id }));
    expect(remote.data[0]).toMatchObject({ request_id: id, endpoint: '/classify', status: 200 });
    const page = await client.logs({ limit: 2 });
    expect(page.data).toHaveLength(2);
    const next = await client.logs({ limit: 2, cursor: page.next_cursor });
    expect(next.data[0].request_id).not.toBe(page.data[0].request_id);
  });
});

describe('errors', () => {
  it('come back as LabelwiseError with the same code, status, message and details as in-process', async () => {
    const bad = { text: 'x', labels: ['a', 'a'] };
    const [remote, local] = [await failure(client.classify(bad)), await failure(engine.classify(bad))];
    expect({ code: remote.code, status: remote.status, message: remote.message, details: remote.details }).toEqual({
      code: local.code,
      status: local.status,
      message: local.message,
      details: local.details,
    });
    expect(remote).toMatchObject({ code: 'VALIDATION_ERROR', status: 422, details: { field: expect.stringMatching(/^labels/) } });
    expect(client.lastResponse).toMatchObject({ status: 422, requestId: expect.stringMatching(/^req_/) });

    const missing = await failure(client.classifiers.get('nope@v3'));
    expect(missing).toMatchObject({ code: 'CLASSIFIER_NOT_FOUND', status: 404 });
    expect(await failure(client.keys.revoke('key_unknown'))).toMatchObject({ code: 'KEY_NOT_FOUND', status: 404 });
  });

  it('auth, scope and rate-limit errors carry their status; Retry-After lands in details.retry_after', async () => {
    const anonymous = createClient({ baseUrl: srv.base });
    expect(await failure(anonymous.classify({ text: 'x', labels: LABELS }))).toMatchObject({ code: 'INVALID_API_KEY', status: 401 });
    expect(anonymous.lastResponse?.requestId).toMatch(/^req_/);

    const narrow = createClient({ baseUrl: srv.base, apiKey: (await engine.keys.create({ scopes: ['classify'] })).key });
    expect(await failure(narrow.keys.list())).toMatchObject({ code: 'PERMISSION_DENIED', status: 403, details: { scope: 'manage' } });

    const limited = createClient({ baseUrl: srv.base, apiKey: (await engine.keys.create({ tier: 'production' })).key });
    await limited.balance();
    await limited.balance();
    const err = await failure(limited.balance());
    expect(err).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', status: 429 });
    expect(err.details?.retry_after).toBeGreaterThanOrEqual(1);
    expect(limited.lastResponse?.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('a client error round-trips to exactly the wire body (no details invented when the body had none)', async () => {
    const anonymous = createClient({ baseUrl: srv.base });
    const key = (await engine.keys.create({})).key;
    const raw = (path: string, init: RequestInit = {}) => fetch(`${srv.base}${path}`, init).then((r) => r.json());
    const cases: [() => Promise<unknown>, () => Promise<unknown>][] = [
      [() => anonymous.balance(), () => raw('/balance')],
      [() => createClient({ baseUrl: srv.base, apiKey: key }).classifiers.get('ghost'), () => raw('/classifiers/ghost', { headers: { authorization: `Bearer ${key}` } })],
      [() => createClient({ baseUrl: `${srv.base}/classify`, apiKey: key }).balance(), () => raw('/classify/balance')],
    ];
    for (const [call, wire] of cases) {
      const err = await failure(call());
      expect(toErrorBody(err)).toEqual(await wire());
    }
  });

  it('an unreachable base path gives NOT_FOUND; a trailing slash in baseUrl is fine', async () => {
    const wrong = createClient({ baseUrl: `${srv.origin}/v2`, apiKey: 'lw_live_x' });
    expect(await failure(wrong.balance())).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const slash = createClient({ baseUrl: `${srv.base}/`, apiKey: (await engine.keys.create({})).key });
    expect((await slash.classify({ text: 'card charged twice', labels: LABELS })).label).toBe('billing');
  });
});

describe('batch jobs through the client', () => {
  it('create → upload (form) → start → get → download → delete, with the same lines as engine.jobs.results', async () => {
    const batchKey = (await engine.keys.create({ name: 'client-batch', tier: 'developer' })).key; // this server allows production keys 2 requests/min
    const jobs = createClient({ baseUrl: srv.base, apiKey: batchKey }).jobs;
    const job = await jobs.create({ labels: LABELS });
    expect(job.upload_url).toBe(`${srv.base}/batch/${job.job_id}/upload`);
    const input = [TEXT, 'I was charged twice this month', 'Where is my parcel?'].map((text, i) => JSON.stringify({ id: i, text })).join('\n');
    expect((await jobs.upload(job, new Blob([input]))).requests_total).toBe(3);
    expect(await jobs.start(job.job_id)).toEqual({ job_id: job.job_id, status: 'processing' });
    let info = await jobs.get(job.job_id);
    while (info.status === 'processing') {
      await new Promise((r) => setTimeout(r, 100));
      info = await jobs.get(job.job_id);
    }
    expect(info.status).toBe('completed');
    expect((await jobs.list()).map((j) => j.job_id)).toContain(job.job_id);
    const lines = [];
    for await (const line of await jobs.download(job.job_id)) lines.push(line);
    const local = [];
    for await (const line of await engine.jobs.results(job.job_id)) local.push(line);
    expect(lines).toEqual(local);
    expect(lines.map((l) => l.index)).toEqual([0, 1, 2]);
    expect(await jobs.delete(job.job_id)).toEqual({ job_id: job.job_id, deleted: true });
    expect(await failure(jobs.get(job.job_id))).toMatchObject({ code: 'BATCH_NOT_FOUND', status: 404 });
  });
});
