import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine/engine.js';

export type Scope = 'classify' | 'batch' | 'manage';

/** Who is calling: a verified key, or an anonymous client in public mode. */
export interface Caller {
  account: string;
  keyId: string | null;
  scopes: Scope[];
  tier: 'public' | 'developer' | 'production';
  logInputs: boolean;
  /** What rate limits are counted against: the key id, or the client IP in public mode. */
  subject: string;
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

  match(method: string, path: string): { route: Route; params: Record<string, string> } | { allow: string[] } | null {
    const allow: string[] = [];
    for (const c of this.#compiled) {
      const m = c.pattern.exec(path);
      if (!m) continue;
      if (c.route.method === method) {
        const params: Record<string, string> = {};
        c.names.forEach((n, i) => {
          params[n] = safeDecode(m[i + 1]);
        });
        return { route: c.route, params };
      }
      allow.push(c.route.method);
    }
    return allow.length ? { allow } : null;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
