import { echo, validationError } from '../errors.js';
import { TIERS } from '../store/index.js';
import type { CallOptions } from './accounting.js';

const KNOWN = new Set(['account', 'keyId', 'requestId', 'method', 'logInputs', 'signal', 'tier']);
const optionalString = (v: unknown, max: number) => v === undefined || (typeof v === 'string' && v.length > 0 && v.length <= max);

/**
 * Checks the options of an engine call before any work or recording: a wrong value (e.g.
 * `tier: 'gold'`, a 10 MB `requestId`) is `VALIDATION_ERROR` naming `options.<field>`, never
 * silently used as the cache TTL tier or stored in the logs. Unknown options are refused too,
 * so a misspelling (`acount`) does not quietly run the call as the default account.
 * @throws `VALIDATION_ERROR` with `details.field`, e.g. `options.tier`.
 */
export function checkCallOptions(options: CallOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw validationError('options', 'call options must be an object');
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k)) throw validationError(`options.${echo(k)}`, `unknown call option "${echo(k)}"; known: ${[...KNOWN].join(', ')}`);
  }
  // Read as unknown: in-process callers may pass anything despite the type.
  const o: { [K in keyof CallOptions]?: unknown } = options;
  if (!optionalString(o.account, 200)) throw validationError('options.account', 'options.account must be a string of 1 to 200 characters');
  if (!(o.keyId === undefined || o.keyId === null || optionalString(o.keyId, 200))) throw validationError('options.keyId', 'options.keyId must be a string of 1 to 200 characters or null');
  if (!optionalString(o.requestId, 200)) throw validationError('options.requestId', 'options.requestId must be a string of 1 to 200 characters');
  if (!(o.method === undefined || (typeof o.method === 'string' && /^[A-Z]{1,16}$/.test(o.method)))) throw validationError('options.method', 'options.method must be an upper-case HTTP method name');
  if (!(o.logInputs === undefined || typeof o.logInputs === 'boolean')) throw validationError('options.logInputs', 'options.logInputs must be a boolean');
  if (!(o.signal === undefined || o.signal instanceof AbortSignal)) throw validationError('options.signal', 'options.signal must be an AbortSignal');
  if (!(o.tier === undefined || TIERS.some((t) => t === o.tier))) throw validationError('options.tier', `options.tier must be one of ${TIERS.join(', ')}`);
}
