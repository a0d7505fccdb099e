import type { Route } from './route.js';

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
