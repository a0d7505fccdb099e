import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine/engine.js';
import type { NormalizedRequest } from '../schema/index.js';
import type { KeyGrant } from '../store/index.js';
import type { Scope, Tier } from '../vocabulary.js';

export type { Scope } from '../vocabulary.js';

/** Who is calling: a verified key, or an anonymous client in public mode. */
export interface Caller {
  account: string;
  keyId: string | null;
  scopes: Scope[];
  tier: Tier;
  logInputs: boolean;
  /** What rate limits are counted against: the key id, or the client address in public mode. */
  subject: string;
  /** What the key may hand on to keys it creates (`null` for anonymous callers). */
  grant: KeyGrant | null;
}

export interface RouteContext {
  engine: Engine;
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** Aborted when the client disconnects before the answer is sent. */
  signal: AbortSignal;
  params: Record<string, string>;
  query: URLSearchParams;
  caller: Caller;
  /** Parsed JSON body (POST routes only). */
  body: unknown;
  /** Headers to add to the response (rate limits, cache). */
  headers: Record<string, string | number>;
}

export interface RouteResult {
  status: number;
  body: unknown;
  /** Tokens the request really cost (corrects the rate-limit estimate). */
  tokens?: number;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the base path; `{name}` segments become params. */
  path: string;
  /** Scope the key needs; `null` for routes anyone may call (the OpenAPI document). */
  scope: Scope | null;
  /** Callable without a key in public mode. */
  publicAllowed?: boolean;
  /** Counts tokens against the rate limit (classification). */
  classification?: boolean;
  summary: string;
  /** A POST whose body may be empty (treated as `{}`). */
  bodyOptional?: boolean;
  /**
   * Validates a classification body before its tokens are estimated, so a request that is
   * invalid gets its 422 rather than a rate-limit answer based on a size it may not have.
   */
  validate?: (body: unknown) => NormalizedRequest;
  handle(ctx: RouteContext): Promise<RouteResult>;
}

interface Compiled {
  route: Route;
  pattern: RegExp;
  names: string[];
}

/** Matches paths to routes; tells 404 (no such path) from 405 (path exists, wrong method). */
export class Router {
  readonly #compiled: Compiled[];

  constructor(routes: Route[]) {
    this.#compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { route, pattern: new RegExp(`^${source}/?$`), names }; // redos-checked: literal route templates, `[^/]+` between slashes, anchored
    });
  }

  /**
   * The route for `method path` with its decoded params; or, when the path exists under other
   * methods, those methods and the path's template (what a 405 is logged as); or null.
   */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { allow: string[]; template: string } | null {
    const allow: string[] = [];
    let template = '';
    for (const c of this.#compiled) {
      const m = c.pattern.exec(path);
      if (!m) continue;
      template ||= c.route.path;
      if (c.route.method === method) {
        const params: Record<string, string> = {};
        c.names.forEach((n, i) => {
          params[n] = safeDecode(m[i + 1]);
        });
        return { route: c.route, params };
      }
      allow.push(c.route.method);
    }
    return allow.length ? { allow, template } : null;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
