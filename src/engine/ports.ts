/**
 * Internal ports: what the engine's own adapters (the HTTP layer, batch jobs) may reach that
 * the public `Engine` surface does not offer. Kept in a WeakMap keyed by the engine, so no
 * public method or flag exposes them and two engines never share one.
 */
import type { UsageRow } from '../store/index.js';

/** Usage recording for requests the engine did not serve itself (management calls, keyed 404s). */
export interface AccountingPort {
  /** Resolves once the row is recorded (committed first in durable mode); rejects if it could not be. */
  recordRaw(row: UsageRow): Promise<void>;
}

const ports = new WeakMap<object, AccountingPort>();

/** @internal called by the composition root. */
export function registerAccounting(engine: object, port: AccountingPort): void {
  ports.set(engine, port);
}

/** @internal the accounting port of an engine made by `createEngine`. */
export function accountingOf(engine: object): AccountingPort {
  const port = ports.get(engine);
  if (!port) throw new TypeError('labelwise: not an engine made by createEngine()');
  return port;
}

/** Limits of the engine's resolved options that an adapter applies before the engine sees a byte. */
export interface AdapterLimits {
  /** `jobs.maxUploadBytes`: the HTTP upload URL refuses a larger declared body before reading it. */
  maxUploadBytes: number;
}

const limits = new WeakMap<object, AdapterLimits>();

/** @internal called by the composition root. */
export function registerLimits(engine: object, value: AdapterLimits): void {
  limits.set(engine, Object.freeze({ ...value }));
}

/** @internal the adapter limits of an engine made by `createEngine`. */
export function limitsOf(engine: object): AdapterLimits {
  const value = limits.get(engine);
  if (!value) throw new TypeError('labelwise: not an engine made by createEngine()');
  return value;
}
