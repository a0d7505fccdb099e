import { GraphBuilder } from '../onnx/graph-builder.js';
import { DataType } from '../onnx/proto.js';
import type { Weight } from './weights.js';

/** Bump when the emitted graph changes, so cached conversions are rebuilt. */
export const CONVERTER_VERSION = '1';

const TOP = 'module_apply_default/Encoder_en/KonaTransformer/Encode';
const STACK = `${TOP}/TransformerStack`;
const PART = 'module/Encoder_en/KonaTransformer/Encode';
const LN_EPSILON = 1e-6;
const MAX_POSITIONS = 128;

/**
 * Rebuilds Universal Sentence Encoder lite as a dense ONNX graph from its TF.js weights.
 *
 * The TF.js graph takes a sparse batch (indices + values) and gathers/scatters the real tokens
 * around every layer. We express the same computation on a padded batch instead
 * (`input_ids`, `attention_mask` [batch, seq]): padded keys get the same -1e9 attention bias and
 * pooling divides by the real length, so real positions compute exactly what the original
 * computes, while onnxruntime gets plain MatMuls it can fuse and batch.
 *
 * Quirks kept for parity: the first layer's input is `2 * embedding + timing signal` (the graph
 * adds the embedding once in AddTimingSignal and once more after it); layer 0 attends in 256
 * dimensions and projects its residual to 512; the output is tanh(dense(masked mean)) then L2.
 */
export function buildUseLiteOnnx(weights: Map<string, Weight>, sourceHash: string): Uint8Array {
  const w = (name: string): Weight => {
    const found = weights.get(name);
    if (!found) throw new Error(`USE lite weights: missing ${name}`);
    return found;
  };
  const g = new GraphBuilder();
  const init = (name: string, shape?: number[]) => {
    const t = w(name);
    return g.float(name, shape ?? t.shape, t.data);
  };

  const ids = g.input('input_ids', DataType.INT64, ['batch', 'sequence']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch', 'sequence']);
  const axisLast = g.constInt64('axes_last', [-1]);

  const embedding = g.op1('Gather', [init('module/Embeddings_en'), ids], { axis: 0 });
  const seqLen = g.op1('Shape', [ids], { start: 1, end: 2 });
  const timing = g.op1('Slice', [positionTable(g, w(`${STACK}/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`)), g.constInt64('zero', [0]), seqLen, g.constInt64('axis0', [0])]);
  let x = g.op1('Add', [g.op1('Add', [embedding, embedding]), timing]);

  const maskF = g.op1('Cast', [mask], { to: DataType.FLOAT });
  const notMask = g.op1('Sub', [g.constFloat('one', 1), maskF]);
  const attnBias = g.op1('Unsqueeze', [g.op1('Mul', [notMask, g.constFloat('neg_inf', -1e9)]), g.constInt64('axes_1_2', [1, 2])]);

  for (const layer of [0, 1]) {
    const p = `${TOP}/Layer_${layer}/TransformerLayer`;
    const normed = layerNorm(g, init, x, `${p}/layer_prepostprocess/layer_norm`);
    const attention = selfAttention(g, init, w, normed, attnBias, layer);
    // Layer 0 widens 256 → 512, so its residual goes through a dense projection first.
    const residual = layer === 0 ? g.op1('Add', [g.op1('MatMul', [x, init(`${p}/dense/kernel/ConcatPartitions/concat`)]), init(`${p}/dense/bias/ConcatPartitions/concat`)]) : x;
    x = g.op1('Add', [attention, residual]);
    const ffnIn = layerNorm(g, init, x, `${p}/FFN/layer_prepostprocess/layer_norm`);
    const hidden = g.op1('Relu', [g.op1('Add', [g.op1('MatMul', [ffnIn, init(`${STACK}/Layer_${layer}/TransformerLayer/FFN/conv1/Tensordot/Reshape_1`)]), init(`${p}/FFN/conv1/bias/ConcatPartitions/concat`)])]);
    const ffnOut = g.op1('Add', [g.op1('MatMul', [hidden, init(`${STACK}/Layer_${layer}/TransformerLayer/FFN/conv2/Tensordot/Reshape_1`)]), init(`${p}/FFN/conv2/bias/ConcatPartitions/concat`)]);
    x = g.op1('Add', [ffnOut, x]);
  }

  // Masked mean over real tokens (a row of all padding would divide by 1, never by 0).
  const axis1 = g.constInt64('axes_1', [1]);
  const summed = g.op1('ReduceSum', [g.op1('Mul', [x, g.op1('Unsqueeze', [maskF, g.constInt64('axes_2', [2])])]), axis1], { keepdims: 0 });
  const lengths = g.op1('Max', [g.op1('ReduceSum', [maskF, axis1], { keepdims: 1 }), g.constFloat('one_len', 1)]);
  const pooled = g.op1('Div', [summed, lengths]);
  const dense = g.op1('Tanh', [g.op1('Add', [g.op1('MatMul', [pooled, init('module/Encoder_en/hidden_layers/tanh_layer_0/weights')]), init('module/Encoder_en/hidden_layers/tanh_layer_0/bias')])]);
  const sumSquares = g.op1('ReduceSum', [g.op1('Mul', [dense, dense]), axisLast], { keepdims: 1 });
  const norm = g.op1('Sqrt', [g.op1('Max', [sumSquares, g.constFloat('l2_eps', 1e-12)])]);
  g.op1('Div', [dense, norm], {}, 'embeddings');
  g.output('embeddings', DataType.FLOAT, ['batch', 512]);

  return g.serialize({
    producer: 'labelwise-use-lite',
    version: CONVERTER_VERSION,
    opset: 17,
    props: { source_sha256: sourceHash, max_positions: String(MAX_POSITIONS) },
  });
}

type Init = (name: string, shape?: number[]) => string;

function layerNorm(g: GraphBuilder, init: Init, x: string, prefix: string): string {
  const scale = init(`${prefix}/layer_norm_scale/ConcatPartitions/concat`);
  const bias = init(`${prefix}/layer_norm_bias/ConcatPartitions/concat`);
  return g.op1('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: { float: LN_EPSILON } });
}

function selfAttention(g: GraphBuilder, init: Init, w: (n: string) => Weight, x: string, bias: string, layer: number): string {
  const p = `${TOP}/Layer_${layer}/TransformerLayer/MultiheadAttention`;
  const qkvKernel = w(`${PART}/Layer_${layer}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0`);
  const width = qkvKernel.shape[2]; // model width of this layer (256, then 512)
  const qkv = g.op1('Add', [g.op1('MatMul', [x, init(`${PART}/Layer_${layer}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0`, [width, 3 * width])]), init(`${p}/qkv_transform_single/bias/ConcatPartitions/concat`)]);
  const [q, k, v] = g.op('Split', [qkv, g.constInt64('split', [width, width, width])], { axis: -1 }, 3);
  // The graph scales queries by 1/sqrt(head size); the head size follows from that constant.
  const scale = w(`${STACK}/Layer_${layer}/TransformerLayer/MultiheadAttention/mul/y`).data[0];
  const headSize = Math.round(1 / (scale * scale));
  const heads = width / headSize;
  const split = g.constInt64('heads_shape', [0, 0, heads, headSize]);
  const toHeads = (t: string, perm: number[]) => g.op1('Transpose', [g.op1('Reshape', [t, split])], { perm });
  const qh = g.op1('Mul', [toHeads(q, [0, 2, 1, 3]), g.constFloat('q_scale', scale)]);
  const logits = g.op1('Add', [g.op1('MatMul', [qh, toHeads(k, [0, 2, 3, 1])]), bias]);
  const weights = g.op1('Softmax', [logits], { axis: -1 });
  const context = g.op1('Transpose', [g.op1('MatMul', [weights, toHeads(v, [0, 2, 1, 3])])], { perm: [0, 2, 1, 3] });
  const merged = g.op1('Reshape', [context, g.constInt64('merge_shape', [0, 0, width])]);
  const outKernel = w(`${PART}/Layer_${layer}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0`);
  const projected = g.op1('MatMul', [merged, init(`${PART}/Layer_${layer}/TransformerLayer/MultiheadAttention/output_transform_single/kernel/part_0`, [outKernel.shape[2], outKernel.shape[3]])]);
  return g.op1('Add', [projected, init(`${p}/output_transform_single/bias/ConcatPartitions/concat`)]);
}

/** sin/cos timing signal for positions 0..127, computed in float32 like the original graph. */
function positionTable(g: GraphBuilder, invTimescales: Weight): string {
  const half = invTimescales.data.length;
  const table = new Float32Array(MAX_POSITIONS * half * 2);
  for (let pos = 0; pos < MAX_POSITIONS; pos++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(pos * invTimescales.data[i]);
      table[pos * 2 * half + i] = Math.sin(angle);
      table[pos * 2 * half + half + i] = Math.cos(angle);
    }
  }
  return g.float('timing_signal', [MAX_POSITIONS, 2 * half], table);
}
