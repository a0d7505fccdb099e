/**
 * docs/api.md is the project's API reference: these tests keep its endpoint table equal to the
 * OpenAPI document a real server serves, and its request-field table equal to the request
 * schemas (its error table is checked against src/errors.ts in test/errors.test.ts).
 */
import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { classifyBatchRequestSchema, classifyRequestSchema, tagBatchRequestSchema, tagRequestSchema } from '../../src/schema/index.js';
import { serveApi, startEngine } from '../support/http-server.js';
import { firstCells, readDoc, section } from './markdown.js';

const api = readDoc('docs/api.md');

describe('docs/api.md', () => {
  let engine: Engine;
  let server: Awaited<ReturnType<typeof serveApi>>;
  beforeAll(async () => {
    engine = await startEngine();
    server = await serveApi(engine);
  });
  afterAll(async () => {
    await server?.close();
    await engine?.close();
  });

  it('lists exactly the operations of GET /v1/openapi.json', async () => {
    const res = await fetch(`${server.base}/openapi.json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(res.status).toBe(200);
    // The document does not list itself; it is served, as the fetch above shows.
    const served = ['GET /v1/openapi.json', ...Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))];
    const documented = firstCells(section(api, 'Endpoints'))
      .map((cell) => /^`((?:GET|POST|PUT|PATCH|DELETE) \/\S+)`$/.exec(cell)?.[1])
      .filter((op): op is string => op !== undefined);
    expect(documented.length).toBeGreaterThan(0);
    expect([...documented].sort()).toEqual([...served].sort());
  });

  it('documents every request field of the four classification schemas, and no other', () => {
    const fields = new Set<string>();
    for (const schema of [classifyRequestSchema, tagRequestSchema, classifyBatchRequestSchema, tagBatchRequestSchema]) {
      for (const name of Object.keys(z.toJSONSchema(schema, { io: 'input' }).properties ?? {})) fields.add(name);
    }
    const documented = firstCells(section(api, 'Request fields'))
      .map((cell) => /^`(\w+)`$/.exec(cell)?.[1])
      .filter((f): f is string => f !== undefined);
    expect([...documented].sort()).toEqual([...fields].sort());
  });

  it('is what the README points at, and the README names no file outside the repository', () => {
    const readme = readDoc('README.md');
    expect(readme).toContain('docs/api.md');
    expect(readme).not.toMatch(/spec\/api\.md/);
  });
});
