/** Opens the SQLite file: pragmas for durability under concurrent writers, then migrations. */
import Database from 'better-sqlite3';
import { DEFAULT_ACCOUNT } from '../validate.js';
import { MIGRATIONS, migrate, type Migration } from './migrations.js';

/** The better-sqlite3 connection; internal to `src/store/sqlite`, never in a public type. */
export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs: number;
  /** Tests open older schemas with a prefix of {@link MIGRATIONS}. */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating if needed) the database at `file` (`:memory:` for a private in-memory one):
 * WAL so readers never block the writer and a crash loses no committed transaction;
 * `synchronous=NORMAL`, which in WAL mode is still crash-safe (only the last commits may roll
 * back on power loss, never corrupt); foreign keys on; then pending migrations.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions): Db {
  const db = new Database(file, { timeout: options.busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrations ?? MIGRATIONS);
    new Accounts(db).ensure(DEFAULT_ACCOUNT, Date.now());
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The `accounts` table: every other row references one. */
export class Accounts {
  readonly #ensure: Database.Statement<[string, number]>;

  constructor(db: Db) {
    this.#ensure = db.prepare('INSERT INTO accounts (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING');
  }

  /** Creates the account unless it exists. Call inside the write transaction that needs it. */
  ensure(id: string, now: number): void {
    this.#ensure.run(id, now);
  }
}
