/**
 * Downloads of `http(s)` inputs (spec §8) with SSRF guards:
 *
 * - only `http:`/`https:`, on every hop;
 * - the host is resolved (`dns.lookup`, all addresses) and refused if ANY address is private,
 *   loopback, link-local, CGNAT, unspecified, multicast or reserved ({@link blockedReason}),
 *   unless the host is in `allowHosts`;
 * - the connection goes to the vetted address (a custom `lookup`), so a second DNS answer
 *   cannot swap in another address (DNS rebinding); TLS still verifies the host name;
 * - redirects are followed by hand, at most {@link MAX_REDIRECTS}, each hop re-checked;
 * - `Accept-Encoding: identity`, the size limit is enforced while streaming, and one deadline
 *   (`fetchTimeoutMs`) covers the whole download including redirects.
 *
 * Refusals are `VALIDATION_ERROR`s naming the field; network failures, HTTP errors, oversize
 * bodies and timeouts are `DOCUMENT_ERROR`s. An abort of the caller's signal rethrows its reason.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { addressBlocked, downloadFailed, downloadTimeout, hostUnresolvable, isLabelwiseError, validationError } from '../errors.js';
import { blockedReason } from './address.js';
import { tooLarge } from './input.js';
import { normalizeHost } from './options.js';

/** Most redirects followed for one input. */
export const MAX_REDIRECTS = 3;

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Normalized host names (see `normalizeHost`). */
  allowHosts: readonly string[];
}

/**
 * The body of `url` as bytes, within `limits`.
 *
 * @param field - `image.<i>` or `file`, used in errors.
 */
export async function fetchInput(url: URL, field: string, limits: FetchLimits, signal?: AbortSignal): Promise<Buffer> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const address = await vet(current, field, limits.allowHosts, combined);
      const res = await get(current, address, combined);
      const location = res.headers.location;
      if (res.statusCode !== undefined && [301, 302, 303, 307, 308].includes(res.statusCode) && location) {
        res.destroy();
        if (hop >= MAX_REDIRECTS) throw downloadFailed(field, `more than ${MAX_REDIRECTS} redirects`);
        try {
          current = new URL(location, current);
        } catch {
          throw downloadFailed(field, 'redirect to an invalid URL');
        }
        continue;
      }
      if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) {
        res.destroy();
        throw downloadFailed(field, `download failed with HTTP ${res.statusCode ?? '?'}`);
      }
      return await readBody(res, field, limits.maxBytes);
    }
  } catch (err) {
    if (isLabelwiseError(err)) throw err;
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) {
      throw downloadTimeout(field, limits.timeoutMs, err);
    }
    const code = (err as NodeJS.ErrnoException)?.code;
    throw downloadFailed(field, `download failed${code ? ` (${code})` : ''}`, err);
  }
}

/** Checks scheme and resolved addresses of one hop; returns the address to connect to. */
async function vet(url: URL, field: string, allowHosts: readonly string[], signal: AbortSignal): Promise<{ address: string; family: number }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw validationError(field, `${field}: only http and https URLs are allowed (got "${url.protocol}")`);
  }
  const host = normalizeHost(url.hostname);
  const allowed = allowHosts.includes(host);
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await abortable(dnsLookup(host, { all: true, verbatim: true }), signal);
    } catch (err) {
      if (signal.aborted) throw err;
      throw hostUnresolvable(field, host, err);
    }
  }
  signal.throwIfAborted();
  if (addresses.length === 0) throw hostUnresolvable(field, host);
  if (!allowed) {
    // The address itself is not echoed back: it would let callers map internal DNS names.
    for (const { address } of addresses) {
      const reason = blockedReason(address);
      if (reason !== undefined) {
        throw addressBlocked(field, host, reason);
      }
    }
  }
  return addresses[0];
}

/** One GET to `url`, connecting to the vetted `address` only. */
function get(url: URL, vetted: { address: string; family: number }, signal: AbortSignal): Promise<IncomingMessage> {
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [vetted]);
    else callback(null, vetted.address, vetted.family);
  };
  const options: RequestOptions = {
    method: 'GET',
    lookup,
    signal,
    headers: { 'user-agent': 'labelwise', accept: '*/*', 'accept-encoding': 'identity' },
    agent: false,
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, options, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** The response body; more than `maxBytes` (declared or streamed) aborts the download. */
async function readBody(res: IncomingMessage, field: string, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw tooLarge(field, maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      res.destroy();
      throw tooLarge(field, maxBytes);
    }
    chunks.push(chunk);
  }
  if (!res.complete) throw downloadFailed(field, 'download ended early');
  return Buffer.concat(chunks, total);
}

/** `promise`, or the abort reason as soon as `signal` aborts (DNS lookups cannot be cancelled). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
