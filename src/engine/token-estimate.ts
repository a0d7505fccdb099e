import type { NormalizedRequest } from '../schema/index.js';

/** Visual tokens reserved per image/file input before it is read (a US-Letter page is ~1,500). */
export const VISUAL_ESTIMATE = 1_500;

/**
 * Tokens a validated classification request is expected to cost: what the HTTP adapter
 * reserves against the token limit (spec §11) and the engine authorises against the balance
 * (spec §9) before any work. Mirrors how tokens are billed (§9): per text, its tokens plus the
 * label configuration's plus the visual tokens of the shared image/file inputs; ≈ 4 characters
 * per token. Document payloads (base64 or URLs) count as visual tokens only — their bytes are
 * not text.
 *
 * `exact` is what the engine knows once the label config is resolved: the config's real model
 * tokens (a saved classifier's included) and the texts that still need the model (cache
 * misses). Without it the config is estimated from the request's own fields and every text
 * counts.
 *
 * @example
 * ```ts
 * estimateTokens(parseClassifyRequest({ file: pdfBase64, labels: ['invoice', 'receipt'] })); // 1,500 + label tokens
 * ```
 */
export function estimateTokens(req: NormalizedRequest, exact?: { configTokens: number; texts?: readonly string[] }): number {
  const perText = (exact?.configTokens ?? estimatedConfigTokens(req)) + VISUAL_ESTIMATE * ((req.image?.length ?? 0) + (req.file ? 1 : 0));
  // Bad batch items are answered with their own error and cost nothing; a single call without
  // text (documents only) still costs its config and documents.
  const texts = exact?.texts ?? req.texts?.filter((t): t is string => typeof t === 'string' && t.trim() !== '') ?? [req.text ?? ''];
  return texts.reduce((sum, t) => sum + perText + Math.ceil(t.length / 4), 0);
}

function estimatedConfigTokens(req: NormalizedRequest): number {
  let chars = (req.text_type?.length ?? 0) + (req.labels ?? []).reduce((n, l) => n + l.length, 0);
  for (const d of Object.values(req.descriptions)) chars += d.length;
  for (const list of Object.values(req.examples)) for (const e of list) chars += e.length;
  return Math.ceil(chars / 4);
}
