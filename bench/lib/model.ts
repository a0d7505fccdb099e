import { resolveOptions } from '../../src/engine/options.js';
import { loadUseLite, USE_LITE_MAX_TOKENS } from '../../src/model/use-lite/index.js';
import { splitWindows } from '../../src/model/windows.js';

/** The engine's default model (converted on first use into the default cache dir). */
export async function defaultModel(): Promise<{ onnxPath: string; encode(text: string): number[] }> {
  const backend = await loadUseLite(resolveOptions({}).cacheDir);
  return { onnxPath: backend.spec.onnxPath, encode: (t) => backend.tokenizer.encode(t) };
}

/**
 * The exact sequences the engine sends to its pool: texts over 128 tokens become overlapping
 * windows (PooledEmbedder: size 128, overlap 32), so the raw reference does the same model work.
 */
export function engineSequences(encode: (t: string) => number[], texts: string[]): { seqs: number[][]; windowed: number; meanTokens: number } {
  const perText = texts.map((t) => splitWindows(encode(t), USE_LITE_MAX_TOKENS, 32));
  const seqs = perText.flat();
  return {
    seqs,
    windowed: perText.filter((w) => w.length > 1).length,
    meanTokens: seqs.reduce((n, s) => n + s.length, 0) / seqs.length,
  };
}
