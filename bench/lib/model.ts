import { resolveOptions } from '../../src/engine/options.js';
import { loadUseLite, USE_LITE_MAX_TOKENS } from '../../src/model/use-lite/index.js';

/** The engine's default model (converted on first use into the default cache dir). */
export async function defaultModel(): Promise<{ onnxPath: string; encode(text: string): number[] }> {
  const backend = await loadUseLite(resolveOptions({}).cacheDir);
  return { onnxPath: backend.spec.onnxPath, encode: (t) => backend.tokenizer.encode(t) };
}

/**
 * Token ids as the engine feeds them. The bench texts fit in one 128-token window; longer ones
 * are clipped here (the engine would window them) and counted so the report can say so.
 */
export function tokenizeAll(encode: (t: string) => number[], texts: string[]): { ids: number[][]; clipped: number; meanTokens: number } {
  let clipped = 0;
  const ids = texts.map((t) => {
    const seq = encode(t);
    if (seq.length > USE_LITE_MAX_TOKENS) clipped++;
    return seq.slice(0, USE_LITE_MAX_TOKENS);
  });
  return { ids, clipped, meanTokens: ids.reduce((n, s) => n + s.length, 0) / ids.length };
}
