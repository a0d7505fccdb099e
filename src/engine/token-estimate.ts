import type { NormalizedRequest } from '../schema/index.js';

/** Visual tokens reserved per image/file input before it is read (a US-Letter page is ~1,500). */
export const VISUAL_ESTIMATE = 1_500;

/**
 * Tokens a validated classification request is expected to cost, reserved against the token
 * limit before it runs and corrected after (spec §11). Mirrors how tokens are billed (§9):
 * per text, its tokens plus the label configuration's plus the visual tokens of the shared
 * image/file inputs; ≈ 4 characters per token, like the engine's billing estimate. Document
 * payloads (base64 or URLs) count as visual tokens only — their bytes are not text — and a
 * saved classifier's configuration is unknown here, so it is added when the run is settled.
 */
export function estimateTokens(req: NormalizedRequest): number {
  let configChars = (req.text_type?.length ?? 0) + (req.labels ?? []).reduce((n, l) => n + l.length, 0);
  for (const d of Object.values(req.descriptions)) configChars += d.length;
  for (const list of Object.values(req.examples)) for (const e of list) configChars += e.length;
  const perText = Math.ceil(configChars / 4) + VISUAL_ESTIMATE * ((req.image?.length ?? 0) + (req.file ? 1 : 0));
  if (!req.texts) return perText + Math.ceil((req.text?.length ?? 0) / 4);
  // Bad batch items are answered with their own error and cost nothing.
  return req.texts.reduce<number>((sum, t) => (typeof t === 'string' && t.trim() !== '' ? sum + perText + Math.ceil(t.length / 4) : sum), 0);
}
