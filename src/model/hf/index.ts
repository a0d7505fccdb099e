import { access, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { LabelwiseError } from '../../errors.js';
import type { ModelBackend } from '../types.js';

export interface HfBackendOptions {
  pooling?: 'mean' | 'cls';
  maxTokens?: number;
  id?: string;
}

/**
 * A Hugging Face–layout ONNX sentence-embedding model from a local folder: `tokenizer.json`
 * (+ optional `tokenizer_config.json`) and `onnx/model.onnx` (or `model.onnx`) whose first
 * output is the token states [batch, seq, dim] (`last_hidden_state`). Special tokens the
 * tokenizer adds ([CLS] … [SEP]) wrap every window of a long text.
 */
export async function loadHfModel(folder: string, options: HfBackendOptions = {}): Promise<ModelBackend> {
  const dir = resolve(folder);
  const json = await readJson(join(dir, 'tokenizer.json'));
  if (!json) throw new LabelwiseError('VALIDATION_ERROR', `no tokenizer.json in ${basename(dir)}`, { field: 'model.path' });
  const config = (await readJson(join(dir, 'tokenizer_config.json'))) ?? {};
  const tokenizer = new Tokenizer(json, config);
  const onnxPath = (await firstExisting([join(dir, 'onnx', 'model.onnx'), join(dir, 'model.onnx')])) ?? '';
  if (!onnxPath) throw new LabelwiseError('VALIDATION_ERROR', `no onnx/model.onnx in ${basename(dir)}`, { field: 'model.path' });

  // Specials come from encoding the empty string: whatever the template adds around text.
  const specials = tokenizer.encode('', { add_special_tokens: true }).ids;
  const body = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).ids;
  const prefix = specials.slice(0, 1);
  const suffix = specials.slice(1);
  const dimension = await outputDimension(onnxPath);
  return {
    id: options.id ?? `hf:${basename(dir)}`,
    dimension,
    maxTokens: options.maxTokens ?? 512,
    tokenizer: { encode: body },
    specials: { prefix, suffix },
    spec: {
      onnxPath,
      outputName: 'last_hidden_state',
      pooling: options.pooling ?? 'mean',
      normalize: true,
      inputNames: { ids: 'input_ids', mask: 'attention_mask', typeIds: 'token_type_ids' },
      padId: 0,
    },
  };
}

async function outputDimension(onnxPath: string): Promise<number> {
  // Read the hidden size from the graph's declared output; 0 means "unknown until the first run".
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1 });
  try {
    const meta = session.outputMetadata?.[0] as { shape?: (number | string)[] } | undefined;
    const last = meta?.shape?.[meta.shape.length - 1];
    return typeof last === 'number' ? last : 0;
  } finally {
    await session.release();
  }
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
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
