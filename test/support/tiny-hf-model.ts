// A tiny, deterministic Hugging Face–layout sentence-embedding model for tests: a BERT-style
// WordPiece tokenizer.json and an ONNX "encoder" written with the project's own GraphBuilder.
// Word vectors are hand-designed: animal, vehicle and food words point along their own axis,
// function words along a shared weak axis, so similarity follows the topic of a text.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/model/onnx/graph-builder.js';
import { DataType } from '../../src/model/onnx/proto.js';

/** Hidden size of the tiny model. */
export const TINY_DIM = 8;

// Axes of the embedding space.
const ANIMAL = 0;
const VEHICLE = 1;
const FOOD = 2;
const FUNCTION = 3;
const SPECIAL = 4;

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const FUNCTION_WORDS = [
  'the', 'a', 'an', 'and', 'or', 'is', 'are', 'was', 'this', 'text', 'about', 'of', 'topic',
  'my', 'with', 'on', 'in', 'to', 'it', 'has', '.', ',', ':', '!', '?', '##s',
];
const TOPICS: [axis: number, words: string[]][] = [
  [ANIMAL, ['animal', 'cat', 'dog', 'horse', 'bird', 'puppy', 'kitten', 'pet', 'cow']],
  [VEHICLE, ['vehicle', 'car', 'truck', 'bus', 'engine', 'wheel', 'train', 'bike', 'drive']],
  [FOOD, ['food', 'pizza', 'bread', 'cheese', 'apple', 'soup', 'pasta', 'eat', 'tasty']],
];

/** The vocabulary in id order ([PAD] = 0). */
export const TINY_VOCAB: readonly string[] = [...SPECIALS, ...FUNCTION_WORDS, ...TOPICS.flatMap(([, words]) => words)];

/** Small deterministic per-word wiggle on the spare axes 5..7, so words of a topic are not identical. */
function wiggle(index: number, row: Float32Array): void {
  row[5] = 0.05 * ((((index * 7) % 5) - 2) / 2);
  row[6] = 0.05 * ((((index * 3) % 7) - 3) / 3);
  row[7] = 0.05 * (((index * 5) % 3) - 1);
}

function embeddingTable(): Float32Array {
  const table = new Float32Array(TINY_VOCAB.length * TINY_DIM);
  const row = (id: number) => table.subarray(id * TINY_DIM, (id + 1) * TINY_DIM);
  const id = (token: string) => TINY_VOCAB.indexOf(token);
  row(id('[UNK]'))[FUNCTION] = 0.2;
  row(id('[CLS]'))[SPECIAL] = 0.1;
  row(id('[SEP]')).set([0, 0, 0, 0, 0.05, 0.05, 0, 0]);
  row(id('[MASK]'))[SPECIAL] = 0.05;
  FUNCTION_WORDS.forEach((w, i) => {
    const r = row(id(w));
    wiggle(i, r);
    r[FUNCTION] = 0.1;
  });
  for (const [axis, words] of TOPICS) {
    words.forEach((w, i) => {
      const r = row(id(w));
      wiggle(i + axis * 11, r);
      r[axis] = 1;
    });
  }
  return table;
}

/** A fixed, mildly mixing projection: 0.8·I plus a weak cyclic coupling to the next axis. */
function projection(): Float32Array {
  const w = new Float32Array(TINY_DIM * TINY_DIM);
  for (let i = 0; i < TINY_DIM; i++) {
    w[i * TINY_DIM + i] = 0.8;
    w[i * TINY_DIM + ((i + 1) % TINY_DIM)] = 0.02;
  }
  return w;
}

function tokenizerJson(): object {
  const vocab = Object.fromEntries(TINY_VOCAB.map((t, i) => [t, i]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

/**
 * The encoder: token vectors plus the masked mean of the sequence (a crude, order-free
 * "attention" that gives the [CLS] position sentence context), plus token type vectors when
 * `withTokenTypeIds`, then `tanh(h · W)`. Output `last_hidden_state` [batch, sequence, 8].
 */
export function buildTinyEncoder(withTokenTypeIds = false): Uint8Array {
  const g = new GraphBuilder();
  const ids = g.input('input_ids', DataType.INT64, ['batch', 'sequence']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch', 'sequence']);
  const types = withTokenTypeIds ? g.input('token_type_ids', DataType.INT64, ['batch', 'sequence']) : undefined;
  const table = g.float('word_embeddings', [TINY_VOCAB.length, TINY_DIM], embeddingTable());
  let tokens = g.op1('Gather', [table, ids], { axis: 0 });
  if (types) {
    const typeTable = g.float('token_type_embeddings', [2, TINY_DIM], [...new Array(TINY_DIM).fill(0.02), ...new Array(TINY_DIM).fill(-0.02)]);
    tokens = g.op1('Add', [tokens, g.op1('Gather', [typeTable, types], { axis: 0 })]);
  }
  const mask3 = g.op1('Unsqueeze', [g.op1('Cast', [mask], { to: DataType.FLOAT }), g.constInt64('axis', [-1])]);
  const seqAxis = g.constInt64('seq_axis', [1]);
  const sum = g.op1('ReduceSum', [g.op1('Mul', [tokens, mask3]), seqAxis], { keepdims: 1 });
  const count = g.op1('Max', [g.op1('ReduceSum', [mask3, seqAxis], { keepdims: 1 }), g.constFloat('one', 1)]);
  const hidden = g.op1('Add', [tokens, g.op1('Div', [sum, count])]);
  const projected = g.op1('MatMul', [hidden, g.float('dense', [TINY_DIM, TINY_DIM], projection())]);
  g.op1('Tanh', [projected], {}, 'last_hidden_state');
  g.output('last_hidden_state', DataType.FLOAT, ['batch', 'sequence', TINY_DIM]);
  return g.serialize({ producer: 'labelwise-tiny-hf', version: '1', opset: 17 });
}

/** Writes `tokenizer.json`, `tokenizer_config.json` and `onnx/model.onnx` of the tiny model into `dir`. */
export async function writeTinyHfModel(dir: string, options: { withTokenTypeIds?: boolean } = {}): Promise<void> {
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson(), null, 2));
  await writeFile(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ do_lower_case: true, model_max_length: 512, cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]' }, null, 2),
  );
  await writeFile(join(dir, 'onnx', 'model.onnx'), buildTinyEncoder(options.withTokenTypeIds ?? false));
}
