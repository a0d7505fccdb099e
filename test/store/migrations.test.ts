// Schema migrations: a new file, an empty file, an older schema, a newer one, a failing one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStores } from '../../src/store/index.js';
import { SqliteClassifierStore } from '../../src/store/sqlite/classifiers.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { SqliteKeyStore } from '../../src/store/sqlite/keys.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/sqlite/migrations.js';
import { expectError, row, T0, tempDirs } from './helpers.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const ALL_TABLES = ['accounts', 'billing_periods', 'classifiers', 'jobs', 'keys', 'ledger', 'secrets', 'usage', 'usage_hourly', 'usage_inputs'];

function schema(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      tables: (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name),
    };
  } finally {
    db.close();
  }
}

describe('migrations', () => {
  it('ships the schema as ordered migrations numbered from 1', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3]);
    expect(SCHEMA_VERSION).toBe(3);
  });

  it('creates the whole schema in a new file', async () => {
    const dir = dirs.make();
    await (await openStores({ dataDir: dir })).close();
    expect(schema(join(dir, 'labelwise.db'))).toEqual({ version: 3, tables: ALL_TABLES });
  });

  it('creates the whole schema in an existing empty file', async () => {
    const dir = dirs.make();
    writeFileSync(join(dir, 'labelwise.db'), '');
    const s = await openStores({ dataDir: dir });
    await s.classifiers.create({ name: 'x', labels: ['a'] });
    await s.close();
    expect(schema(join(dir, 'labelwise.db'))).toEqual({ version: 3, tables: ALL_TABLES });
  });

  it('upgrades a v1 file to the current version, keeping its accounts, keys and classifiers', async () => {
    const dir = dirs.make();
    const file = join(dir, 'labelwise.db');
    const v1 = openDatabase(file, { busyTimeoutMs: 1000, migrations: MIGRATIONS.slice(0, 1) });
    const key = await new SqliteKeyStore(v1).create({ name: 'old', tier: 'production' }, { account: 'acme' });
    await new SqliteClassifierStore(v1).create({ name: 'support', labels: ['billing'], threshold: 0.3 }, { account: 'acme' });
    v1.close();
    expect(schema(file)).toEqual({ version: 1, tables: ['accounts', 'classifiers', 'keys'] });

    const s = await openStores({ dataDir: dir });
    expect(schema(file)).toEqual({ version: 3, tables: ALL_TABLES });
    expect(await s.keys.verify(key.key)).toMatchObject({ key_id: key.id, account: 'acme', tier: 'production' });
    expect(await s.classifiers.get('support', { account: 'acme' })).toMatchObject({ version: 'v1', labels: ['billing'], threshold: 0.3 });
    // The v2 tables and columns work on the upgraded file.
    await s.billing.credit('acme', 1, { now: T0 });
    await s.billing.charge('acme', 10, 'standard', { now: T0, usage: row({ request_id: 'r', account: 'acme', created_at: T0 }) });
    expect(await s.billing.balance('acme', T0)).toMatchObject({ balance_usd: 1, free_tokens_used: 10 });
    expect((await s.usage.logs({ account: 'acme' })).data.map((l) => l.request_id)).toEqual(['r']);
    expect((await s.classifiers.create({ name: 'support', labels: ['refund'] }, { account: 'acme' })).version).toBe('v2');
    await s.close();
  });

  it('refuses a file whose schema is newer, with a clear error, and leaves it untouched', async () => {
    const dir = dirs.make();
    const file = join(dir, 'labelwise.db');
    const s = await openStores({ dataDir: dir });
    await s.classifiers.create({ name: 'keep', labels: ['a'] });
    await s.close();
    const db = new Database(file);
    db.pragma('user_version = 4');
    db.close();

    await expectError(openStores({ dataDir: dir }), 'INTERNAL_ERROR');
    await expect(openStores({ dataDir: dir })).rejects.toThrow('database schema v4 is newer than this labelwise (v3); upgrade labelwise');
    expect(schema(file).version).toBe(4);
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT name FROM classifiers').all()).toEqual([{ name: 'keep' }]);
    after.close();
  });

  it('rolls a failing migration back entirely, leaving the previous version', async () => {
    const dir = dirs.make();
    const file = join(dir, 'labelwise.db');
    const broken = [...MIGRATIONS, { version: 4, description: 'broken', sql: 'CREATE TABLE extra (id INTEGER); SELECT * FROM no_such_table;' }];
    expect(() => openDatabase(file, { busyTimeoutMs: 1000, migrations: broken })).toThrow(/no_such_table/);
    expect(schema(file)).toEqual({ version: 0, tables: [] });
    await (await openStores({ dataDir: dir })).close();
    expect(() => openDatabase(file, { busyTimeoutMs: 1000, migrations: broken })).toThrow(/no_such_table/);
    expect(schema(file)).toEqual({ version: 3, tables: ALL_TABLES });
  });
});
