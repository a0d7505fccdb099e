/** Time helpers shared by every store: everything is UTC, stored as integer epoch milliseconds. */
import { validationError } from '../errors.js';
import type { TimeInput } from './types.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Epoch milliseconds of `value`.
 * @throws `VALIDATION_ERROR` naming `field` when `value` is not a valid time.
 */
export function toMs(value: TimeInput, field: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw validationError(field, `${field} must be an ISO-8601 time`);
  return Math.trunc(ms);
}

/** `toMs(value)`, or `fallback` when `value` is undefined or null. */
export function toMsOr(value: TimeInput | null | undefined, field: string, fallback: number): number {
  return value === undefined || value === null ? fallback : toMs(value, field);
}

/** ISO-8601 UTC string (ending in `Z`) of epoch milliseconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** ISO string or null. */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

/** Start of the UTC calendar month containing `ms`. */
export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start of the UTC calendar month after the one containing `ms`. */
export function nextMonthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** `YYYY-MM` of the UTC month containing `ms`: the key of a billing period. */
export function periodKey(ms: number): string {
  return iso(ms).slice(0, 7);
}
