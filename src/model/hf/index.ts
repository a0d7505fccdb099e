import { access, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { invalidModel } from '../../errors.js';
import type { ModelBackend } from '../types.js';

export interface HfBackendOptions {
  pooling?: 'mean' | 'cls';
  maxTokens?: number;
  id?: string;
  /**
   * Text the model was trained to see before every input (e5's `query: `): its tokens go after
   * the leading specials of every window, and are not counted as the caller's tokens.
   */
  prefix?: string;
  /** Graph output with the token states [batch, seq, dim]. @default 'last_hidden_state' */
  outputName?: string;
}

/**
 * A Hugging Face–layout ONNX sentence-embedding model from a local folder: `tokenizer.json`
 * (+ optional `tokenizer_config.json`) and `onnx/model.onnx` (or `model.onnx`) whose first
 * output is the token states [batch, seq, dim] (`last_hidden_state`). Special tokens the
 * tokenizer adds ([CLS] … [SEP]) wrap every window of a long text.
 */
export async function loadHfModel(folder: string, options: HfBackendOptions = {}): Promise<ModelBackend> {
  const dir = resolve(folder);
  const json = await readJson(join(dir, 'tokenizer.json'), true);
  if (!json) throw invalidModel(`no tokenizer.json in ${basename(dir)}`);
  const config = (await readJson(join(dir, 'tokenizer_config.json'), false)) ?? {};
  const tokenizer = new Tokenizer(json, config);
  const onnxPath = (await firstExisting([join(dir, 'onnx', 'model.onnx'), join(dir, 'model.onnx')])) ?? '';
  if (!onnxPath) throw invalidModel(`no onnx/model.onnx in ${basename(dir)}`);

  const body = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).ids;
  const around = specialsAround(tokenizer, body);
  const prefix = options.prefix ? [...around.prefix, ...body(options.prefix)] : around.prefix;
  const suffix = around.suffix;
  // config.json names the hidden size without loading the model; only without it is the graph
  // opened (on this thread) to read its declared output shape.
  const hf = await readJson(join(dir, 'config.json'), false);
  const declared = [hf?.hidden_size, hf?.d_model, hf?.dim].find((v): v is number => Number.isInteger(v) && (v as number) > 0);
  const outputName = options.outputName ?? 'last_hidden_state';
  const dimension = declared ?? (await outputDimension(onnxPath, outputName));
  return {
    id: options.id ?? `hf:${basename(dir)}`,
    dimension,
    maxTokens: options.maxTokens ?? 512,
    tokenizer: { encode: body },
    specials: { prefix, suffix },
    spec: {
      onnxPath,
      outputName,
      pooling: options.pooling ?? 'mean',
      normalize: true,
      inputNames: { ids: 'input_ids', mask: 'attention_mask', typeIds: 'token_type_ids' },
      padId: 0,
    },
  };
}

/**
 * The special ids the tokenizer's template puts before and after a text ([CLS] … [SEP],
 * `<s>` … `</s>`, or only a trailing `</s>`): found by locating a probe text's own ids inside
 * its encoding with specials.
 */
function specialsAround(tokenizer: Tokenizer, body: (text: string) => number[]): { prefix: number[]; suffix: number[] } {
  const probe = body('a');
  const full = tokenizer.encode('a', { add_special_tokens: true }).ids;
  for (let at = 0; at + probe.length <= full.length; at++) {
    if (probe.every((id, i) => full[at + i] === id)) return { prefix: full.slice(0, at), suffix: full.slice(at + probe.length) };
  }
  return { prefix: [], suffix: [] };
}

async function outputDimension(onnxPath: string, outputName: string): Promise<number> {
  // Read the hidden size from the graph's declared output; 0 means "unknown until the first run".
  const ort = await import('onnxruntime-node');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1 });
  } catch (err) {
    throw invalidModel(`${basename(onnxPath)} is not a loadable ONNX model`, err);
  }
  try {
    const index = Math.max(0, session.outputNames.indexOf(outputName));
    const meta = session.outputMetadata?.[index] as { shape?: (number | string)[] } | undefined;
    const last = meta?.shape?.[meta.shape.length - 1];
    return typeof last === 'number' ? last : 0;
  } finally {
    await session.release();
  }
}

/** A JSON file's content, `undefined` when absent; invalid JSON is a clear error, not "absent". */
async function readJson(path: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    if (!required) return undefined;
    throw invalidModel(`${basename(path)} is not valid JSON`);
  }
}

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      await access(p);
      return p;
    } catch {
      // try the next layout
    }
  }
  return undefined;
}
