import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStores } from '../../src/store/index.js';

// Management commands of the built CLI against a real data dir (npm test builds dist/ first).
const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const data = mkdtempSync(join(tmpdir(), 'lw-cli-admin-'));
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--data', data], { encoding: 'utf8', timeout: 30_000 });

afterAll(() => rmSync(data, { recursive: true, force: true }));

describe('labelwise keys | classifiers | balance', () => {
  it('creates a key (secret printed once), lists it without the secret, revokes it', async () => {
    const created = run('keys', 'create', '--name', 'ci', '--scopes', 'classify,batch', '--json');
    expect(created.status).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key.key).toMatch(/^lw_live_/);
    expect(key.scopes).toEqual(['classify', 'batch']);
    const listed = run('keys', 'list', '--json');
    expect(listed.stdout).not.toContain(key.key);
    expect(JSON.parse(listed.stdout).keys.map((k: { id: string }) => k.id)).toContain(key.id);
    expect(run('keys', 'revoke', key.id).status).toBe(0);
    const stores = await openStores({ dataDir: data });
    try {
      expect(await stores.keys.verify(key.key)).toBeNull();
    } finally {
      await stores.close();
    }
  });

  it('lists and gets saved classifiers; an unknown one exits 2 with CLASSIFIER_NOT_FOUND', async () => {
    const stores = await openStores({ dataDir: data });
    await stores.classifiers.create({ name: 'support', labels: ['billing', 'shipping'] });
    await stores.close();
    expect(JSON.parse(run('classifiers', 'list').stdout).classifiers[0]).toMatchObject({ name: 'support', latest_version: 'v1' });
    expect(JSON.parse(run('classifiers', 'get', 'support@v1').stdout)).toMatchObject({ name: 'support', version: 'v1', labels: ['billing', 'shipping'] });
    const missing = run('classifiers', 'get', 'nope');
    expect(missing.status).toBe(2);
    expect(JSON.parse(missing.stderr).code).toBe('CLASSIFIER_NOT_FOUND');
  });

  it('credits the balance in USD and shows it', () => {
    expect(JSON.parse(run('balance', 'credit', '--usd', '12.5').stdout).balance_usd).toBe(12.5);
    expect(JSON.parse(run('balance', 'show').stdout)).toMatchObject({ balance_usd: 12.5, currency: 'usd' });
  });

  it('reads --usd exactly and refuses sub-micro-dollar and out-of-range amounts with VALIDATION_ERROR', () => {
    const account = ['--account', 'money'];
    const bad: [string, RegExp][] = [
      ['1e13', /at most 1000000000 USD/],
      ['0.0000001', /more than 6 decimal places/],
      ['9007199254.740993', /at most/],
      ['-5', /positive/],
      ['twenty', /amount of USD/],
    ];
    for (const [usd, message] of bad) {
      const out = run('balance', 'credit', `--usd=${usd}`, ...account);
      expect(out.status, usd).toBe(2);
      const body = JSON.parse(out.stderr);
      expect(body).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'usd' } });
      expect(body.message).toMatch(message);
    }
    expect(JSON.parse(run('balance', 'credit', '--usd', '999999999.999998', ...account).stdout).balance_usd).toBe(999_999_999.999998);
    expect(JSON.parse(run('balance', 'credit', '--usd', '0.000001', ...account).stdout).balance_usd).toBe(999_999_999.999999);
  });

  it('names the missing argument and quotes the usage line', () => {
    for (const [args, usage] of [
      [['keys', 'revoke'], 'labelwise keys revoke KEY_ID --data DIR'],
      [['classifiers', 'get'], 'labelwise classifiers get NAME[@vN] --data DIR'],
      [['balance', 'credit'], 'labelwise balance credit --data DIR --usd N'],
    ] as const) {
      const out = run(...args);
      expect(out.status).toBe(2);
      expect(JSON.parse(out.stderr).message).toContain(usage);
    }
  });

  it('refuses a missing --data and an unknown action', () => {
    const noData = spawnSync(process.execPath, [BIN, 'keys', 'list'], { encoding: 'utf8' });
    expect(noData.status).toBe(2);
    expect(JSON.parse(noData.stderr).details.field).toBe('data');
    expect(run('keys', 'frobnicate').status).toBe(2);
  });
});
