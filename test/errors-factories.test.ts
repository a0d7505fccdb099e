import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_TABLE, LOG_ONLY_ERRORS, LabelwiseError, REASONS, toErrorBody, type Reason } from '../src/errors.js';
import * as accounts from '../src/errors/factories/accounts.js';
import * as documents from '../src/errors/factories/documents.js';
import * as jobs from '../src/errors/factories/jobs.js';
import * as lifecycle from '../src/errors/factories/lifecycle.js';
import * as models from '../src/errors/factories/models.js';
import * as request from '../src/errors/factories/request.js';
import { readDoc, section } from './docs/markdown.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** `src/…` paths outside src/errors.ts and src/errors/, where errors must come from a factory. */
const outsideErrors = sourceFiles(SRC)
  .map((path) => ({ path: relative(SRC, path).replaceAll('\\', '/'), text: readFileSync(path, 'utf8') }))
  .filter(({ path }) => path !== 'errors.ts' && !path.startsWith('errors/'));

// Factories that rebuild or amend an error rather than name a situation of their own.
const NOT_A_SITUATION = new Set(['remoteError', 'inField']);
// Placeholder arguments are strings; these factories need something else.
const ARGS: Record<string, unknown[]> = { methodNotAllowed: ['GET', ['POST']], uploadTooLarge: [10], lineTooLong: [10], jobResultsLost: [2, 1] };

/** Every situation factory, called with placeholder arguments, with the error it builds. */
const built = Object.entries({ ...accounts, ...documents, ...jobs, ...lifecycle, ...models, ...request })
  .filter(([name, f]) => typeof f === 'function' && !NOT_A_SITUATION.has(name))
  .map(([name, f]) => {
    const fn = f as (...args: unknown[]) => LabelwiseError;
    const args = ARGS[name] ?? Array.from({ length: fn.length }, () => 'x');
    return { name, error: fn(...args) };
  });

describe('error factories', () => {
  it('are the only place errors are constructed: no `new LabelwiseError(` elsewhere in src/', () => {
    expect(outsideErrors.length).toBeGreaterThan(50);
    const sites = outsideErrors.flatMap(({ path, text }) =>
      text.split('\n').flatMap((line, i) => (line.includes('new LabelwiseError(') ? [`${path}:${i + 1}`] : [])),
    );
    expect(sites).toEqual([]);
  });

  it('build a LabelwiseError whose code is the one of its details.reason', () => {
    expect(built.length).toBeGreaterThan(50);
    for (const { name, error } of built) {
      expect(error, name).toBeInstanceOf(LabelwiseError);
      const reason = error.details?.reason as Reason;
      expect(Object.keys(REASONS), name).toContain(reason);
      expect(error.code, name).toBe(REASONS[reason]);
    }
  });

  it('each have a reason of their own, and every reason has a factory', () => {
    const byReason = new Map<unknown, string[]>();
    for (const { name, error } of built) byReason.set(error.details?.reason, [...(byReason.get(error.details?.reason) ?? []), name]);
    const shared = [...byReason].filter(([, names]) => names.length > 1);
    expect(shared).toEqual([]);
    expect([...byReason.keys()].sort()).toEqual(Object.keys(REASONS).sort());
  });

  it('use snake_case reasons', () => {
    for (const reason of Object.keys(REASONS)) expect(reason).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
  });

  it('cover every code of the table (and the log-only ones) with at least one reason', () => {
    const covered = new Set(Object.values(REASONS));
    for (const code of [...Object.keys(ERROR_TABLE), ...Object.keys(LOG_ONLY_ERRORS)]) expect([...covered], code).toContain(code);
  });

  it('put the reason on the wire, and the generic 500 has a reason too', () => {
    expect(toErrorBody(request.bodyStalled(5000)).details).toEqual({ timeout_ms: 5000, reason: 'body_stalled' });
    expect(toErrorBody(new Error('/secret/path')).details).toEqual({ reason: 'internal' });
    expect(REASONS.internal).toBe('INTERNAL_ERROR');
  });

  it('inField adds the input field to an OCR error, once, keeping code and reason', () => {
    const e = documents.inField(documents.ocrFailed('OCR failed on this image'), 'image.2');
    expect(e).toMatchObject({ code: 'DOCUMENT_ERROR', message: 'image.2: OCR failed on this image', details: { field: 'image.2', reason: 'ocr_failed' } });
    expect(documents.inField(e, 'file')).toBe(e);
  });

  it('keep the server reason when the client rebuilds an error', () => {
    const wire = toErrorBody(lifecycle.queueFull('inference', 1));
    const rebuilt = lifecycle.remoteError(wire.code, wire.message, wire.details);
    expect(rebuilt).toMatchObject({ code: 'OVERLOADED', status: 503, details: { reason: 'queue_full', queue: 'inference', retry_after: 1 } });
  });
});

describe('docs/api.md', () => {
  /** `| \`CODE\` | \`reason\`, \`reason\` |` rows of "### Reasons" under "## Errors". */
  function documentedReasons(): Record<string, string[]> {
    const errors = section(readDoc('docs/api.md'), 'Errors');
    const start = errors.indexOf('\n### Reasons\n');
    expect(start).toBeGreaterThan(0);
    const out: Record<string, string[]> = {};
    for (const line of errors.slice(start).split('\n')) {
      const row = /^\|\s*`([A-Z_]+)`\s*\|([^|]*)\|/.exec(line);
      if (row) out[row[1]] = [...row[2].matchAll(/`([a-z_0-9]+)`/g)].map((m) => m[1]).sort();
    }
    return out;
  }

  it('lists every reason under its code, and no other', () => {
    const ours: Record<string, string[]> = {};
    for (const [reason, code] of Object.entries(REASONS)) (ours[code] ??= []).push(reason);
    for (const list of Object.values(ours)) list.sort();
    expect(documentedReasons()).toEqual(ours);
  });
});
