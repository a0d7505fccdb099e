/**
 * Management answers follow the durable rule too (issue #8, defect 6): the adapter writes the
 * row of a keyed request that the engine did not serve itself (keys, balance, 404s…) before the
 * answer leaves, so a second connection sees it the moment the client has its answer; when
 * the row cannot be committed the caller gets the error, not an unrecorded success.
 * Real engine, real SQLite file, real HTTP server on 127.0.0.1.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { serveApi, startEngine } from '../support/http-server.js';

let dir: string;
let engine: Engine;
let server: Awaited<ReturnType<typeof serveApi>>;
let peer: Database.Database;
let key: string;

const logged = (id: string | null) => (peer.prepare('SELECT status, endpoint FROM usage WHERE request_id = ?').all(id) as { status: number; endpoint: string }[]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lw-mgmt-durable-'));
  engine = await startEngine({ dataDir: dir, durability: 'durable' });
  key = (await engine.keys.create({ name: 'ops', tier: 'developer' })).key;
  // Let the model finish loading: closing an engine whose ONNX session is still being created
  // can abort the process (an onnxruntime Napi::Error; noted as an open defect).
  await engine.classify({ text: 'warm up', labels: ['a', 'b'] });
  server = await serveApi(engine);
  peer = new Database(join(dir, 'labelwise.db'));
});
afterAll(async () => {
  peer?.close();
  await server?.close();
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('management rows in durable mode', () => {
  it('are committed before the answer reaches the client (200, 404 and 422 alike)', async () => {
    const listed = await server.api('GET', '/keys', { key });
    const missing = await server.api('GET', '/classifiers/nope', { key });
    const invalid = await server.api('POST', '/keys', { key, body: { tier: 'gold' } });
    expect([listed.status, missing.status, invalid.status]).toEqual([200, 404, 422]);
    // Read at once, on another connection, with no flush in between.
    expect(logged(listed.requestId)).toEqual([{ status: 200, endpoint: '/keys' }]);
    expect(logged(missing.requestId)).toEqual([{ status: 404, endpoint: '/classifiers/{name}' }]);
    expect(logged(invalid.requestId)).toEqual([{ status: 422, endpoint: '/keys' }]);
  });

  it('answer with the commit error instead of an unrecorded success when the row cannot be written', async () => {
    peer.exec("CREATE TRIGGER refuse_usage BEFORE INSERT ON usage BEGIN SELECT RAISE(ABORT, 'test trigger refuses usage rows'); END");
    try {
      const res = await server.api('GET', '/keys', { key });
      expect(res.status).toBe(500);
      expect(res.body.code).toBe('INTERNAL_ERROR');
      expect(res.text).not.toContain('trigger'); // the SQLite message stays on the server
      expect(logged(res.requestId)).toEqual([]);
    } finally {
      peer.exec('DROP TRIGGER refuse_usage');
    }
    const again = await server.api('GET', '/keys', { key });
    expect(again.status).toBe(200);
    expect(logged(again.requestId)).toHaveLength(1);
  });
});
