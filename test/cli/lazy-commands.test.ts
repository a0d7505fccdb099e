import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// cli/main.ts imports a command's module only when it runs (npm test builds dist/ first).
const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const RECORDER = join(import.meta.dirname, 'fixtures', 'record-modules.mjs');
const dir = mkdtempSync(join(tmpdir(), 'lw-cli-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;

/** Runs the CLI and returns the packages (node_modules/<name>) it loaded. */
function packagesLoadedBy(args: string[]): { status: number | null; packages: Set<string> } {
  const out = join(dir, `modules-${++runs}.json`);
  const run = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, LW_MODULES_OUT: out } });
  const files = JSON.parse(readFileSync(out, 'utf8')) as string[];
  const packages = new Set(files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter((p): p is string => p !== undefined));
  return { status: run.status, packages };
}

/** Dependencies of the model, pool and documents stack. */
const HEAVY = ['onnxruntime-node', 'piscina', 'tesseract.js', 'mammoth', '@napi-rs/canvas', 'protobufjs'];

describe('lazy CLI commands', () => {
  it('keys list opens the store without loading the model, pool or documents stack', () => {
    const { status, packages } = packagesLoadedBy(['keys', 'list', '--data', join(dir, 'data')]);
    expect(status).toBe(0);
    // The recorder sees CommonJS packages: the SQLite binding proves it saw this run's.
    expect(packages).toContain('better-sqlite3');
    for (const heavy of HEAVY) expect(packages, heavy).not.toContain(heavy);
  });

  it('classify --help, serve --help and batch --help answer without loading the engine, pool or documents stack', () => {
    for (const command of ['classify', 'serve', 'batch']) {
      const { status, packages } = packagesLoadedBy([command, '--help']);
      expect(status).toBe(0);
      for (const heavy of HEAVY.filter((p) => p !== 'protobufjs')) expect(packages, `${command} --help: ${heavy}`).not.toContain(heavy);
    }
  });

  it('--help and --version load no command at all', () => {
    for (const args of [['--help'], ['--version']]) {
      const { status, packages } = packagesLoadedBy(args);
      expect(status).toBe(0);
      expect([...packages]).toEqual([]);
    }
  });
});
