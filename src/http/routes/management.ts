import { keyRequired } from '../../errors.js';
import type { Route, RouteContext } from '../route.js';

const account = (ctx: RouteContext) => ({ account: ctx.caller.account });
/** The caller's key as issuer; fails closed, since an absent issuer would cap nothing. */
function issuer(ctx: RouteContext) {
  if (!ctx.caller.grant) throw keyRequired();
  return { account: ctx.caller.account, issuer: ctx.caller.grant };
}

/**
 * Query string → the store's query object: numbers parsed, empty values dropped. `now` (the
 * store's clock, which decides log-input retention) and `account` are never taken from a client.
 */
function queryObject(ctx: RouteContext, numeric: string[] = []): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of ctx.query) {
    if (v === '' || k === 'now' || k === 'account') continue;
    out[k] = numeric.includes(k) && /^-?\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}

export const managementRoutes: Route[] = [
  {
    method: 'POST', path: '/classifiers', scope: 'manage', summary: 'Save a classifier (a new name is v1, an existing one gets the next version)',
    handle: async (ctx) => ({ status: 201, body: await ctx.engine.classifiers.create((await ctx.json()) as never, account(ctx)) }),
  },
  { method: 'GET', path: '/classifiers', scope: 'manage', summary: 'List saved classifiers', handle: async (ctx) => ({ status: 200, body: await ctx.engine.classifiers.list(account(ctx)) }) },
  {
    method: 'GET', path: '/classifiers/{name}', scope: 'manage', summary: 'A classifier in full (`name` or `name@vN`)',
    handle: async (ctx) => ({ status: 200, body: await ctx.engine.classifiers.get(ctx.params.name, account(ctx)) }),
  },
  {
    method: 'DELETE', path: '/classifiers/{name}', scope: 'manage', summary: 'Delete a classifier and all its versions',
    handle: async (ctx) => ({ status: 200, body: await ctx.engine.classifiers.delete(ctx.params.name, account(ctx)) }),
  },
  {
    method: 'POST', path: '/keys', scope: 'manage', bodyOptional: true, summary: 'Create an API key (the secret is shown once)',
    // The calling key caps what it can create (and revoke): see KeyCreateOptions.issuer.
    handle: async (ctx) => ({ status: 201, body: await ctx.engine.keys.create((await ctx.json()) as never, issuer(ctx)) }),
  },
  { method: 'GET', path: '/keys', scope: 'manage', summary: 'List API keys', handle: async (ctx) => ({ status: 200, body: await ctx.engine.keys.list(account(ctx)) }) },
  { method: 'DELETE', path: '/keys/{id}', scope: 'manage', summary: 'Revoke an API key', handle: async (ctx) => ({ status: 200, body: await ctx.engine.keys.revoke(ctx.params.id, issuer(ctx)) }) },
  { method: 'GET', path: '/balance', scope: 'manage', summary: 'Balance, free tokens and spend this month', handle: async (ctx) => ({ status: 200, body: await ctx.engine.balance(account(ctx)) }) },
  {
    method: 'GET', path: '/usage', scope: 'manage', summary: 'Usage totals grouped by time, endpoint, key or priority',
    handle: async (ctx) => ({ status: 200, body: await ctx.engine.usage({ ...queryObject(ctx), ...account(ctx) } as never) }),
  },
  {
    method: 'GET', path: '/logs', scope: 'manage', summary: 'Request logs, newest first, cursor-paginated',
    handle: async (ctx) => ({ status: 200, body: await ctx.engine.logs({ ...queryObject(ctx, ['limit', 'status']), ...account(ctx) } as never) }),
  },
];
