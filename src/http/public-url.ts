/**
 * The absolute URLs the adapter hands out (the batch upload and download URLs of spec §7).
 * `publicUrl` wins when the host app set it; otherwise they are built from the request: its
 * scheme (TLS or not), its `Host` header, the host's mount path and the base path. A client can
 * send any `X-Forwarded-*` header, so those are read only with `trustProxy`.
 */
import { validationError } from '../errors.js';
import { header, type HostRequest } from './host.js';
import type { ResolvedHandlerOptions } from './options.js';

// A host name, IPv4 or bracketed IPv6 address, with an optional port: nothing that could add a
// path, a query or credentials to the URL built from it.
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i; // redos-checked: bounded label repetition, anchored

/** The last entry of a comma-separated proxy header (the one our own proxy set), or ''. */
function lastHop(request: HostRequest, name: string): string {
  return header(request, name).split(',').at(-1)?.trim() ?? '';
}

/**
 * The absolute URL of the base path as this client reaches it, without a trailing slash
 * (e.g. `http://127.0.0.1:8080/v1`). 422 `VALIDATION_ERROR` (`field: "host"`) when the request
 * has no usable `Host` header and no `publicUrl` is set.
 */
export function publicBase(request: HostRequest, options: ResolvedHandlerOptions): string {
  if (options.publicUrl) return options.publicUrl;
  const forwardedHost = options.trustProxy ? lastHop(request, 'x-forwarded-host') : '';
  const forwardedProto = options.trustProxy ? lastHop(request, 'x-forwarded-proto').toLowerCase() : '';
  const host = forwardedHost || header(request, 'host');
  if (!HOST.test(host)) throw validationError('host', 'the Host header is missing or not a host name; the server needs it (or its publicUrl option) to build absolute URLs');
  const scheme = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : request.secure ? 'https' : 'http';
  return `${scheme}://${host.toLowerCase()}${request.mountPath ?? ''}${options.basePath}`;
}
