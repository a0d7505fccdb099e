/** The `classifiers` table: immutable, numbered versions of saved classifiers (spec §6). */
import type Database from 'better-sqlite3';
import { classifierNotFound } from '../../errors.js';
import { iso } from '../time.js';
import type { AccountOption, ClassifierDetail, ClassifierInput, ClassifierStore, ClassifierSummary, ClassifierVersion } from '../types.js';
import { CLASSIFIER_REF as REF } from '../../vocabulary.js';
import { accountOf, CLASSIFIER_NAME, normalizeClassifierInput, type NormalizedClassifier } from '../validate.js';
import { Accounts, type Db } from './database.js';

interface VersionRow {
  name: string;
  version: number;
  labels: string;
  descriptions: string;
  examples: string;
  text_type: string | null;
  threshold: number | null;
  created_at: number;
}

interface SummaryRow {
  name: string;
  versions: string;
  created_at: number;
  updated_at: number;
}


const notFound = classifierNotFound;

const versionNames = (csv: string) =>
  csv
    .split(',')
    .map(Number)
    .sort((a, b) => a - b)
    .map((n) => `v${n}`);

function toVersion(r: VersionRow): ClassifierVersion {
  return {
    name: r.name,
    version: `v${r.version}`,
    labels: JSON.parse(r.labels) as string[],
    descriptions: JSON.parse(r.descriptions) as Record<string, string>,
    examples: JSON.parse(r.examples) as Record<string, string[]>,
    text_type: r.text_type,
    threshold: r.threshold,
    created_at: iso(r.created_at),
  };
}

export class SqliteClassifierStore implements ClassifierStore {
  readonly #accounts: Accounts;
  readonly #nextVersion: Database.Statement<[string, string], { next: number }>;
  readonly #insert: Database.Statement;
  readonly #summaries: Database.Statement<[string], SummaryRow>;
  readonly #versions: Database.Statement<[string, string], { version: number }>;
  readonly #getVersion: Database.Statement<[string, string, number], VersionRow>;
  readonly #getLatest: Database.Statement<[string, string], VersionRow>;
  readonly #delete: Database.Statement<[string, string]>;
  readonly #create: (account: string, v: NormalizedClassifier, now: number) => number;
  /** Runs reads in one (deferred, read-only) transaction: one consistent snapshot. */
  readonly #snapshot: (fn: () => unknown) => unknown;

  constructor(db: Db) {
    this.#accounts = new Accounts(db);
    this.#nextVersion = db.prepare('SELECT coalesce(max(version), 0) + 1 AS next FROM classifiers WHERE account = ? AND name = ?');
    this.#insert = db.prepare(`
      INSERT INTO classifiers (account, name, version, labels, descriptions, examples, text_type, threshold, created_at)
      VALUES (@account, @name, @version, @labels, @descriptions, @examples, @text_type, @threshold, @created_at)`);
    this.#summaries = db.prepare(`
      SELECT name, group_concat(version) AS versions, min(created_at) AS created_at, max(created_at) AS updated_at
      FROM classifiers WHERE account = ? GROUP BY name ORDER BY name`);
    this.#versions = db.prepare('SELECT version FROM classifiers WHERE account = ? AND name = ? ORDER BY version');
    this.#getVersion = db.prepare('SELECT * FROM classifiers WHERE account = ? AND name = ? AND version = ?');
    this.#getLatest = db.prepare('SELECT * FROM classifiers WHERE account = ? AND name = ? ORDER BY version DESC LIMIT 1');
    this.#delete = db.prepare('DELETE FROM classifiers WHERE account = ? AND name = ?');
    const create = db.transaction((account: string, v: NormalizedClassifier, now: number) => {
      this.#accounts.ensure(account, now);
      // Read and insert under one write lock (IMMEDIATE below): concurrent creators queue on
      // the lock, so each sees the previous one's version. The primary key
      // (account, name, version) would reject a duplicate anyway.
      const version = this.#nextVersion.get(account, v.name)!.next;
      this.#insert.run({
        account,
        name: v.name,
        version,
        labels: JSON.stringify(v.labels),
        descriptions: JSON.stringify(v.descriptions),
        examples: JSON.stringify(v.examples),
        text_type: v.text_type,
        threshold: v.threshold,
        created_at: now,
      });
      return version;
    });
    this.#create = create.immediate;
    this.#snapshot = db.transaction((fn: () => unknown) => fn());
  }

  async create(input: ClassifierInput, options?: AccountOption): Promise<ClassifierVersion> {
    const account = accountOf(options?.account);
    const v = normalizeClassifierInput(input);
    const now = Date.now();
    const version = this.#create(account, v, now);
    return {
      name: v.name,
      version: `v${version}`,
      labels: v.labels,
      descriptions: v.descriptions,
      examples: v.examples,
      text_type: v.text_type,
      threshold: v.threshold,
      created_at: iso(now),
    };
  }

  async list(options?: AccountOption): Promise<{ classifiers: ClassifierSummary[] }> {
    const rows = this.#summaries.all(accountOf(options?.account));
    return {
      classifiers: rows.map((r) => {
        const versions = versionNames(r.versions);
        return {
          name: r.name,
          latest_version: versions[versions.length - 1],
          versions,
          created_at: iso(r.created_at),
          updated_at: iso(r.updated_at),
        };
      }),
    };
  }

  async get(ref: string, options?: AccountOption): Promise<ClassifierDetail> {
    const account = accountOf(options?.account);
    const m = typeof ref === 'string' ? REF.exec(ref) : null;
    if (!m) throw notFound(String(ref));
    const [, name, pinned] = m;
    // Both reads see one snapshot, so `versions` always contains `version`.
    const read = () => {
      const row = pinned ? this.#getVersion.get(account, name, Number(pinned)) : this.#getLatest.get(account, name);
      return row && { row, versions: this.#versions.all(account, name).map((r) => `v${r.version}`) };
    };
    const found = this.#read(read);
    if (!found) throw notFound(ref);
    return { ...toVersion(found.row), versions: found.versions };
  }

  async delete(name: string, options?: AccountOption): Promise<{ name: string; deleted: true }> {
    const account = accountOf(options?.account);
    if (typeof name !== 'string' || !CLASSIFIER_NAME.test(name) || this.#delete.run(account, name).changes === 0) {
      throw notFound(String(name));
    }
    return { name, deleted: true };
  }

  #read<T>(fn: () => T): T {
    return this.#snapshot(fn) as T;
  }
}
