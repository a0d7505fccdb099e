/** Hostile batch inputs (issue #10): each a clear error or per-line errors; the engine stays healthy. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type JobResultLine } from '../../src/index.js';
import { expectError, tempDirs } from '../store/helpers.js';

const dirs = tempDirs();
let engine: Engine;
let dataDir: string;
const LABELS = ['billing', 'shipping'];

beforeAll(async () => {
  dataDir = dirs.make();
  engine = await createEngine({ dataDir, pool: { workers: 1 } });
});
afterAll(async () => {
  await engine?.close();
  dirs.cleanup();
});

async function run(input: Buffer): Promise<JobResultLine[]> {
  const { job_id: id } = await engine.jobs.create({ labels: LABELS });
  await engine.jobs.upload(id, input);
  await engine.jobs.start(id);
  expect((await engine.jobs.wait(id)).status).toBe('completed');
  const out: JobResultLine[] = [];
  for await (const l of await engine.jobs.results(id)) out.push(l);
  return out;
}

const healthy = async () => expect((await engine.classify({ text: 'my card was charged twice', labels: LABELS })).label).toBe('billing');
const inputFiles = (id: string) => readdirSync(join(dataDir, 'jobs', id)).filter((f) => f.startsWith('input'));

describe('hostile batch inputs', () => {
  it('an empty file is 422 at upload and leaves no input', async () => {
    const { job_id: id } = await engine.jobs.create({ labels: LABELS });
    await expect(engine.jobs.upload(id, Buffer.alloc(0))).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: { reason: 'upload_empty' } });
    await expectError(engine.jobs.start(id), 'BATCH_INPUT_MISSING');
    expect(inputFiles(id)).toEqual([]);
  });

  it('a file of only bad lines completes with one error line per line', async () => {
    const out = await run(Buffer.from('nope\n{"text":1}\n{}\n\n"text"\n{"text":null}\n'));
    expect(out.map((l) => ('error' in l ? l.code : 'ok'))).toEqual(['INVALID_JSON', 'VALIDATION_ERROR', 'VALIDATION_ERROR', 'VALIDATION_ERROR', 'VALIDATION_ERROR', 'VALIDATION_ERROR']);
    await healthy();
  });

  it('a 20 MB single line is one PAYLOAD_TOO_LARGE line between good ones, read in bounded memory', async () => {
    const big = Buffer.concat([Buffer.from('{"text":"'), Buffer.alloc(20 * 1024 * 1024, 'a'), Buffer.from('"}\n')]);
    const out = await run(Buffer.concat([Buffer.from('{"text":"refund please"}\n'), big, Buffer.from('{"text":"where is my parcel"}')]));
    expect(out.map((l) => ('error' in l ? l.code : 'label' in l ? l.label : 'tags'))).toEqual(['billing', 'PAYLOAD_TOO_LARGE', 'shipping']);
    await healthy();
  });

  it('a PDF, a ZIP or a binary file uploaded as NDJSON is 415 at once', async () => {
    const { job_id: id } = await engine.jobs.create({ labels: LABELS });
    for (const head of ['%PDF-1.7\n%\xe2\xe3\n1 0 obj', 'PK\x03\x04\x14\x00', 'abc\x00def']) {
      await expect(engine.jobs.upload(id, Buffer.from(head, 'latin1'))).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', details: { reason: 'upload_not_ndjson' } });
    }
    expect(inputFiles(id)).toEqual([]);
  });

  it('a stalled upload stalls nobody else, and an aborted one leaves nothing', async () => {
    const { job_id: id } = await engine.jobs.create({ labels: LABELS });
    const stalled = new PassThrough();
    stalled.write('{"text":"a"}\n');
    const abort = new AbortController();
    const upload = engine.jobs.upload(id, stalled, { signal: abort.signal });
    await healthy();
    abort.abort();
    await expect(upload).rejects.toThrow();
    expect(inputFiles(id)).toEqual([]);
    expect((await engine.jobs.get(id)).requests_total).toBe(0);
  });
});

describe('upload sources', () => {
  it('a path that cannot be read is 422 naming it', async () => {
    const { job_id: id } = await engine.jobs.create({ labels: LABELS });
    await expect(engine.jobs.upload(id, join(dataDir, 'no-such.ndjson'))).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: { reason: 'upload_unreadable', field: 'input' } });
  });
});
