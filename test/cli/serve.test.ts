/**
 * `labelwise serve` start-up (the built CLI, as users run it; `npm test` builds dist/ first):
 * the admin key is created and printed only once the port is bound, so a start that cannot
 * listen never consumes the one chance to show it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStores } from '../../src/store/index.js';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lw-cli-serve-'));
  dirs.push(d);
  return d;
}

async function keyCount(dir: string): Promise<number> {
  const stores = await openStores({ dataDir: dir });
  try {
    return (await stores.keys.list()).keys.length;
  } finally {
    await stores.close();
  }
}

describe('labelwise serve', () => {
  it('on a busy port exits 1 without creating or printing an admin key; the next start prints it', async () => {
    const busy: Server = createServer();
    await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
    const port = (busy.address() as { port: number }).port;
    const dir = dataDir();
    try {
      const failed = spawnSync(process.execPath, [BIN, 'serve', '--port', String(port), '--data', dir], { encoding: 'utf8', timeout: 60_000 });
      expect(failed.status).toBe(1);
      expect(failed.stderr).toContain('the port is in use');
      expect(failed.stdout).not.toMatch(/admin key/i);
      expect(await keyCount(dir)).toBe(0);
    } finally {
      await new Promise<void>((ok) => busy.close(() => ok()));
    }

    // A start that can listen creates the key and shows it (once).
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    await new Promise<void>((ok, fail) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        if (out.includes('listening on')) ok();
      });
      void exited.then((code) => fail(new Error(`serve exited early with ${code}`)));
    });
    expect(out).toMatch(/Created admin key \(shown once, store it now\): lw_live_\S+\n/);
    // The key line comes before the listening line, so scripts can read it first.
    expect(out.indexOf('admin key')).toBeLessThan(out.indexOf('listening on'));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await keyCount(dir)).toBe(1);
  });
});
