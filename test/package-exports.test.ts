import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url);
const json = (file: string) => JSON.parse(readFileSync(new URL(file, ROOT), 'utf8'));
// semver is not a dependency of ours; npm's own tree always has it (fastify, vitest, …).
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

// Imports the BUILT package through its own `exports` map (package self-reference), the way
// users load it; `npm test` builds dist/ first.
describe('package exports', () => {
  it('exposes the engine, the HTTP adapter and the client as subpath exports', async () => {
    const core = await import('labelwise');
    const http = await import('labelwise/http');
    const client = await import('labelwise/client');
    expect(typeof core.createEngine).toBe('function');
    expect(typeof core.LabelwiseError).toBe('function');
    expect(core.MODEL_CHANNEL).toBe('labelwise:model');
    expect(typeof http.createHandler).toBe('function');
    expect(typeof client.createClient).toBe('function');
  });

  it('keeps internals private: no deep imports outside the exports map', async () => {
    const deep = ['labelwise', 'dist', 'engine', 'engine.js'].join('/');
    await expect(import(/* @vite-ignore */ deep)).rejects.toThrow();
  });

  it('runs a classification from the built package', async () => {
    const { createEngine } = await import('labelwise');
    const engine = await createEngine({ pool: { workers: 1 } });
    try {
      const res = await engine.classify({ text: 'The goalkeeper saved a penalty.', labels: ['sports', 'finance'] });
      expect(res.label).toBe('sports');
    } finally {
      await engine.close();
    }
  });
});

describe('install', () => {
  // An EBADENGINE warning on `npm ci` (cookie@2 wants Node 22, through fastify's
  // light-my-request) is a locked package that our declared Node range cannot run.
  it('every locked package supports the oldest Node that package.json declares', () => {
    const declared = json('package.json').engines.node as string;
    const oldest = semver.minVersion(declared)!.version;
    const lock = json('package-lock.json') as { packages: Record<string, { engines?: { node?: string } | string[] }> };
    const unsupported = Object.entries(lock.packages)
      .filter(([, p]) => p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies(oldest, (p.engines as { node: string }).node))
      .map(([name, p]) => `${name} (${(p.engines as { node: string }).node})`);
    expect(unsupported, `Node ${oldest} (package.json engines "${declared}")`).toEqual([]);
    expect(semver.satisfies(process.versions.node, declared)).toBe(true);
  });

  it('needs no project .npmrc: onnxruntime-node\'s install script is denied by allowScripts', () => {
    const pkg = json('package.json');
    expect(pkg.allowScripts['onnxruntime-node']).toBe(false);
    // npm reads allowScripts from 11.16 on; older npm would run the script, so contributors are told.
    expect(pkg.devEngines.packageManager).toMatchObject({ name: 'npm' });
    expect(semver.satisfies(semver.minVersion(pkg.devEngines.packageManager.version)!.version, '>=11.16.0')).toBe(true);
    // npm warns on every command about an unknown `onnxruntime-node-install` key in a project .npmrc.
    let npmrc = '';
    try {
      npmrc = readFileSync(new URL('.npmrc', ROOT), 'utf8');
    } catch {
      // no .npmrc: nothing for npm to warn about
    }
    expect(npmrc).not.toMatch(/onnxruntime-node-install/);
  });
});
