import { parseBatchRequest, parseClassifyRequest, parseTagRequest } from '../../schema/index.js';
import type { JsonResult, Route, RouteContext } from '../route.js';

/** Headers of spec §1.3 for one answer. */
function cacheHeaders(hit: boolean, keyPrefix: string, age: number | undefined, billed: number): Record<string, string | number> {
  const headers: Record<string, string | number> = { 'X-Cache': hit ? 'HIT' : 'MISS', 'X-Cache-Key': keyPrefix, 'X-Tokens-Used': billed };
  if (hit && age !== undefined) headers['X-Cache-Age'] = age;
  return headers;
}

function callOptions(ctx: RouteContext) {
  return { account: ctx.caller.account, keyId: ctx.caller.keyId, requestId: ctx.requestId, method: 'POST', logInputs: ctx.caller.logInputs, tier: ctx.caller.tier, signal: ctx.signal };
}

async function single(ctx: RouteContext, kind: 'classify' | 'tag'): Promise<JsonResult> {
  const run = kind === 'classify' ? ctx.engine.classifyDetailed.bind(ctx.engine) : ctx.engine.tagDetailed.bind(ctx.engine);
  const out = await run(await ctx.json(), callOptions(ctx));
  Object.assign(ctx.headers, cacheHeaders(out.cache.hit, out.cache.keyPrefix, out.cache.age, out.billedTokens));
  return { status: 200, body: out.response, tokens: out.billedTokens };
}

async function batch(ctx: RouteContext, kind: 'classify' | 'tag'): Promise<JsonResult> {
  const run = kind === 'classify' ? ctx.engine.classifyBatch.bind(ctx.engine) : ctx.engine.tagBatch.bind(ctx.engine);
  const body = await run((await ctx.json()) as never, callOptions(ctx));
  const hits = body.results.filter((r) => r.cache.hit).length;
  ctx.headers['X-Tokens-Used'] = body.total_tokens;
  ctx.headers['X-Cache'] = hits === body.results.length && hits > 0 ? 'HIT' : 'MISS';
  return { status: 200, body, tokens: body.total_tokens };
}

export const classificationRoutes: Route[] = [
  { method: 'POST', path: '/classify', scope: 'classify', publicAllowed: true, classification: true, summary: 'Exactly one label for a text', validate: parseClassifyRequest, handle: (ctx) => single(ctx, 'classify') },
  { method: 'POST', path: '/tag', scope: 'classify', publicAllowed: true, classification: true, summary: 'Every label that applies to a text', validate: parseTagRequest, handle: (ctx) => single(ctx, 'tag') },
  { method: 'POST', path: '/classify/batch', scope: 'classify', classification: true, summary: 'Classify up to 1,000 texts', validate: (b) => parseBatchRequest(b, 'classify'), handle: (ctx) => batch(ctx, 'classify') },
  { method: 'POST', path: '/tag/batch', scope: 'classify', classification: true, summary: 'Tag up to 1,000 texts', validate: (b) => parseBatchRequest(b, 'tag'), handle: (ctx) => batch(ctx, 'tag') },
];
