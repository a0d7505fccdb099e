/**
 * Input checks shared by every store backend: each failure is a `VALIDATION_ERROR` whose
 * `details.field` names the offending field (spec §1.2).
 */
import * as z from 'zod';
import { validationError } from '../errors.js';
import { labelConfigSchema } from '../schema/index.js';
import { labelKey, unsafeTextProblem } from '../schema/fields.js';
import { parseOrThrow } from '../schema/issues.js';
import { capToIssuer, type NormalizedKeyInput } from './key-grant.js';
import { microsToUsd, parseUsdMicros } from './pricing.js';
import { toMs, toMsOr } from './time.js';
import { CLASSIFIER_NAME, SCOPES, TIERS, type Scope, type Tier } from '../vocabulary.js';
import type { ClassifierInput, KeyCreateInput, KeyGrant, UsageRow } from './types.js';

export const DEFAULT_ACCOUNT = 'default';
export { CLASSIFIER_NAME, SCOPES, TIERS } from '../vocabulary.js';
export const DEFAULT_RETENTION_DAYS = 30;

/** The account id of `options`, checked; the default account when absent. */
export function accountOf(account: string | undefined): string {
  if (account === undefined) return DEFAULT_ACCOUNT;
  if (typeof account !== 'string' || account.length === 0 || account.length > 200) {
    throw validationError('account', 'account must be a string of 1 to 200 characters');
  }
  return account;
}

export const keyCreateSchema = z.object(
  {
    name: z
      .string({ error: 'name must be a string' })
      .trim()
      .max(100, 'name must be at most 100 characters')
      .refine((s) => !unsafeTextProblem(s), 'name must not contain control characters or lone surrogates')
      .nullish(),
    scopes: z
      .array(z.enum(SCOPES, { error: 'each scope must be one of classify, batch, manage' }), {
        error: 'scopes must be an array',
      })
      .min(1, 'scopes must list at least one of classify, batch, manage')
      .optional(),
    tier: z.enum(TIERS, { error: 'tier must be public, developer or production' }).optional(),
    expires_at: z
      .string({ error: 'expires_at must be an ISO-8601 time' })
      .refine((s) => Number.isFinite(Date.parse(s)), 'expires_at must be an ISO-8601 time')
      .nullish(),
    log_inputs: z.boolean({ error: 'log_inputs must be a boolean' }).optional(),
    log_retention_days: z
      .number({ error: 'log_retention_days must be a number' })
      .int('log_retention_days must be an integer')
      .min(1, 'log_retention_days must be between 1 and 3650')
      .max(3650, 'log_retention_days must be between 1 and 3650')
      .optional(),
  },
  { error: 'key must be an object' },
);

/**
 * Checks a key creation request and applies the defaults; with an `issuer`, caps it to the
 * issuer's grant (see key-grant.ts). Only `undefined` means "no input": `null`, arrays and
 * other non-objects are `VALIDATION_ERROR` with `details.field === 'body'`.
 */
export function normalizeKeyInput(input: KeyCreateInput | undefined, now: number, issuer?: KeyGrant): NormalizedKeyInput {
  const v = parseOrThrow(keyCreateSchema, input === undefined ? {} : input);
  const expires = v.expires_at == null ? null : toMs(v.expires_at, 'expires_at');
  if (expires !== null && expires <= now) throw validationError('expires_at', 'expires_at must be in the future');
  const normalized: NormalizedKeyInput = {
    name: v.name ?? null,
    // Canonical order, duplicates dropped.
    scopes: v.scopes ? SCOPES.filter((s) => v.scopes!.includes(s)) : [...SCOPES],
    tier: v.tier ?? 'developer',
    expires_at: expires,
    log_inputs: v.log_inputs ?? false,
    log_retention_days: v.log_retention_days ?? DEFAULT_RETENTION_DAYS,
  };
  if (!issuer) return normalized;
  const given = { scopes: v.scopes !== undefined, tier: v.tier !== undefined, expires_at: v.expires_at !== undefined, log_retention_days: v.log_retention_days !== undefined };
  return capToIssuer(normalized, given, issuer);
}

/** A checked classifier version: labels (NFC) and examples trimmed, keys normalised to their label. */
export interface NormalizedClassifier {
  name: string;
  labels: string[];
  descriptions: Record<string, string>;
  examples: Record<string, string[]>;
  text_type: string | null;
  threshold: number | null;
}

export function normalizeClassifierInput(input: ClassifierInput): NormalizedClassifier {
  if (input === null || typeof input !== 'object') throw validationError('body', 'classifier must be an object');
  if (typeof input.name !== 'string' || !CLASSIFIER_NAME.test(input.name)) {
    throw validationError('name', `name must match ${CLASSIFIER_NAME.source}`);
  }
  const threshold = input.threshold ?? null;
  if (threshold !== null && (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1))) {
    throw validationError('threshold', 'threshold must be between 0 and 1');
  }
  const config = parseOrThrow(labelConfigSchema, {
    labels: input.labels,
    descriptions: input.descriptions ?? {},
    examples: input.examples ?? {},
    ...(input.text_type == null ? {} : { text_type: input.text_type }),
  });
  const trimKeys = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [labelKey(k), v]));
  return {
    name: input.name,
    labels: config.labels,
    descriptions: trimKeys(config.descriptions),
    examples: trimKeys(config.examples),
    text_type: config.text_type ?? null,
    threshold,
  };
}

/** A checked usage row, in storage form. */
export interface UsageRecord {
  request_id: string;
  account: string;
  key_id: string | null;
  endpoint: string;
  method: string;
  status: number;
  priority: string | null;
  tokens: number;
  visual_tokens: number;
  cached: 0 | 1;
  latency_ms: number;
  cost_micros: number;
  error_code: string | null;
  label: string | null;
  /** JSON. */
  labels: string | null;
  input: string | null;
  created_at: number;
}

const ROW_STRING_MAX: ReadonlyArray<readonly [keyof UsageRow, number]> = [
  ['request_id', 200],
  ['key_id', 200],
  ['endpoint', 200],
  ['method', 16],
  ['error_code', 64],
  ['priority', 16],
];
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const optStr = (row: UsageRow, field: keyof UsageRow): string | null => {
  const v = row[field];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw validationError(field, `${field} must be a string or null`);
  return v;
};

/**
 * Checks a usage row by hand rather than with zod: it runs once per request on the hot path.
 * @throws `VALIDATION_ERROR` naming the field.
 */
export function normalizeUsageRow(row: UsageRow, now: number): UsageRecord {
  if (row === null || typeof row !== 'object') throw validationError('body', 'usage row must be an object');
  if (!isStr(row.request_id)) throw validationError('request_id', 'request_id must be a non-empty string');
  if (!isStr(row.endpoint)) throw validationError('endpoint', 'endpoint must be a non-empty string');
  // Identifiers and route templates are short; a long one is a caller's raw input (a path,
  // a header) that must not grow the logs.
  for (const [f, max] of ROW_STRING_MAX) {
    const v = row[f];
    if (typeof v === 'string' && v.length > max) throw validationError(f, `${f} must be at most ${max} characters`);
  }
  if (!Number.isInteger(row.status) || row.status < 100 || row.status > 599) throw validationError('status', 'status must be an HTTP status');
  for (const f of ['tokens', 'visual_tokens', 'cost_micros'] as const) {
    if (row[f] !== undefined && !isCount(row[f])) throw validationError(f, `${f} must be a non-negative integer`);
  }
  if (!(typeof row.latency_ms === 'number' && row.latency_ms >= 0)) throw validationError('latency_ms', 'latency_ms must be a non-negative number');
  if (row.labels != null && !Array.isArray(row.labels)) throw validationError('labels', 'labels must be an array or null');
  const createdAt = toMsOr(row.created_at, 'created_at', now);
  if (createdAt < 0) throw validationError('created_at', 'created_at must be after 1970');
  return {
    request_id: row.request_id,
    account: accountOf(row.account),
    key_id: optStr(row, 'key_id'),
    endpoint: row.endpoint,
    method: optStr(row, 'method') ?? 'POST',
    status: row.status,
    priority: optStr(row, 'priority'),
    tokens: row.tokens ?? 0,
    visual_tokens: row.visual_tokens ?? 0,
    cached: row.cached ? 1 : 0,
    latency_ms: Math.round(row.latency_ms),
    cost_micros: row.cost_micros ?? 0,
    error_code: optStr(row, 'error_code'),
    label: optStr(row, 'label'),
    labels: row.labels == null ? null : JSON.stringify(row.labels),
    input: optStr(row, 'input'),
    created_at: createdAt,
  };
}

/** A non-negative safe integer token count. */
export function checkTokens(tokens: number, field: string): number {
  if (!isCount(tokens)) throw validationError(field, `${field} must be a non-negative integer`);
  return tokens;
}

/**
 * A USD amount, checked exactly (see {@link parseUsdMicros}): at most 6 decimals, at most
 * `MAX_USD`. Returns it as a number that `usdToMicros` converts without loss.
 */
export function checkUsd(usd: number, field: string, { positive = false } = {}): number {
  return microsToUsd(parseUsdMicros(usd, field, { positive }));
}
