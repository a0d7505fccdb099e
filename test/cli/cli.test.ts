import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_OPTIONS } from '../../src/cli/admin.js';
import { CLASSIFY_OPTIONS } from '../../src/cli/classify-options.js';
import { BATCH_OPTIONS } from '../../src/cli/jobs/options.js';
import { SERVE_OPTIONS } from '../../src/cli/serve.js';

// The CLI is tested as users run it: the built bin (npm test builds first), real stdin/stdout.
const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const run = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 60_000 });

describe('labelwise CLI', () => {
  it('classifies one text and prints the JSON response', () => {
    const out = run(['classify', 'The striker scored twice in the cup final', '--labels', 'sports,politics,cooking']);
    expect(out.status).toBe(0);
    const body = JSON.parse(out.stdout);
    expect(body).toMatchObject({ label: 'sports', cached: false });
    expect(body.confidence).toBeGreaterThan(0.5);
  });

  it('tags with --tag and --threshold, and reads --descriptions and --examples files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-cli-'));
    writeFileSync(join(dir, 'd.json'), JSON.stringify({ cooking: 'recipes, baking, kitchens' }));
    writeFileSync(join(dir, 'e.json'), JSON.stringify({ cooking: ['Bake the bread'], sports: ['The team won'] }));
    const out = run(['classify', 'Knead the dough and bake it', '--labels', 'sports,cooking', '--tag', '--threshold', '0', '--descriptions', join(dir, 'd.json'), '--examples', join(dir, 'e.json')]);
    expect(out.status).toBe(0);
    const body = JSON.parse(out.stdout);
    expect(body.labels.map((l: { label: string }) => l.label)).toEqual(['cooking', 'sports']);
  });

  it('streams NDJSON in --batch mode, one line per input line, bad lines isolated', () => {
    const input = ['{"text":"Stocks fell on Wall Street","id":"a"}', 'not json', '{"text":"  "}', '"The new phone has a faster chip"'].join('\n');
    const out = run(['classify', '--batch', '--labels', 'sports,business,technology'], input);
    expect(out.status).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ index: 0, id: 'a', label: 'business' });
    expect(lines[1]).toMatchObject({ index: 1, code: 'INVALID_JSON', tokens: 0 });
    expect(lines[2]).toMatchObject({ index: 2, code: 'VALIDATION_ERROR' });
    expect(lines[3]).toMatchObject({ index: 3, label: 'technology' });
    // No progress bar when stderr is not a terminal (the first-run model note may precede it).
    expect(out.stderr.replace(/^labelwise: first run: .*\n/m, '')).toBe('');
  });

  it('says on stderr, once, that the first run converts the model, with its timings', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'lw-cli-cache-'));
    const args = ['classify', 'The striker scored', '--labels', 'sports,politics', '--cache-dir', cacheDir];
    const first = run(args);
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/^labelwise: first run: converting the default model to ONNX, cached for next time in .*use-lite-[0-9a-f]+\.onnx … done in \d+\.\d\d s \(read .*, convert .*, write .*\)\n$/);
    expect(JSON.parse(first.stdout).label).toBe('sports');
    const second = run(args);
    expect(second.status).toBe(0);
    expect(second.stderr).toBe('');
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('prints the spec error body and exits 2 on bad input', () => {
    const out = run(['classify', 'x', '--labels', 'a,a']);
    expect(out.status).toBe(2);
    expect(JSON.parse(out.stderr)).toMatchObject({ code: 'VALIDATION_ERROR', error: 'validation-error', details: { field: 'labels' } });
  });

  it('exits 2 with usage on an unknown command or flag', () => {
    expect(run(['frobnicate']).status).toBe(2);
    expect(run(['classify', 'x', '--labelz', 'a']).status).toBe(2);
    // Names of Object.prototype members are unknown commands too, not inherited functions.
    for (const name of ['toString', '__proto__', 'constructor']) {
      const out = run([name]);
      expect(out.status).toBe(2);
      expect(out.stderr).toContain(`unknown command "${name}"`);
    }
  });

  it('prints the package version for --version, -v and version', () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
    for (const flag of ['--version', '-v', 'version']) {
      const out = run([flag]);
      expect(out.status).toBe(0);
      expect(out.stdout).toBe(`${version}\n`);
    }
  });

  it('every command\'s --help names every flag it accepts', () => {
    const commands: [string[], object][] = [
      [['classify'], CLASSIFY_OPTIONS],
      [['serve'], SERVE_OPTIONS],
      [['keys'], ADMIN_OPTIONS],
      [['batch'], BATCH_OPTIONS],
    ];
    for (const [args, options] of commands) {
      const help = run([...args, '--help']);
      expect(help.status).toBe(0);
      for (const flag of Object.keys(options)) expect(help.stdout, `${args[0]} --help`).toContain(`--${flag}`);
    }
  });

  it('lists every command with its arguments in the usage text', () => {
    const usage = run(['--help']).stdout;
    expect(usage).toContain('labelwise keys revoke KEY_ID --data DIR');
    expect(usage).toContain('labelwise classifiers get NAME[@vN] --data DIR');
    expect(usage).toContain('labelwise balance credit --data DIR --usd N');
    expect(usage).toContain('labelwise batch run in.ndjson --labels a,b,c -o out.ndjson');
    expect(usage).toContain('labelwise --version');
  });
});
