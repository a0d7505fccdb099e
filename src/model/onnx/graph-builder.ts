import { AttributeType, DataType, type DataTypeCode, ModelProto } from './proto.js';

export type AttrValue = number | number[] | string | { ints: number[] } | { float: number };

interface TensorInit {
  name: string;
  dims: number[];
  data_type: DataTypeCode;
  raw_data: Uint8Array;
}

/** A symbolic (string) or fixed (number) dimension of a graph input or output. */
export type Dim = string | number;

/**
 * Tiny imperative ONNX graph writer: `op()` appends a node and returns its output name(s),
 * so a model is written as straight-line code. Node and tensor names are deterministic
 * (a counter), which keeps the serialized model byte-identical across runs.
 */
export class GraphBuilder {
  readonly #nodes: object[] = [];
  readonly #initializers: TensorInit[] = [];
  readonly #inputs: object[] = [];
  readonly #outputs: object[] = [];
  #counter = 0;

  input(name: string, type: DataTypeCode, dims: Dim[]): string {
    this.#inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: DataTypeCode, dims: Dim[]): void {
    this.#outputs.push(valueInfo(name, type, dims));
  }

  /** Adds a float32 initializer (weights are copied into little-endian raw bytes). */
  float(name: string, dims: number[], data: Float32Array | number[]): string {
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    if (arr.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`initializer ${name}: size mismatch`);
    this.#initializers.push({ name, dims, data_type: DataType.FLOAT, raw_data: toBytes(arr) });
    return name;
  }

  int64(name: string, dims: number[], data: number[]): string {
    const arr = BigInt64Array.from(data.map((v) => BigInt(v)));
    this.#initializers.push({ name, dims, data_type: DataType.INT64, raw_data: toBytes(arr) });
    return name;
  }

  /** A scalar or 1-D constant, named by the caller's hint. */
  constInt64(hint: string, values: number[], scalar = false): string {
    return this.int64(this.#fresh(hint), scalar ? [] : [values.length], values);
  }

  constFloat(hint: string, value: number): string {
    return this.float(this.#fresh(hint), [], [value]);
  }

  /** Appends a node; `outputs` is a count (names generated) or explicit output names. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: number | string[] = 1): string[] {
    const name = this.#fresh(opType);
    const outs = Array.isArray(outputs)
      ? outputs
      : Array.from({ length: outputs }, (_, i) => (outputs === 1 ? name : `${name}:${i}`));
    this.#nodes.push({
      name,
      op_type: opType,
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Single-output shorthand for `op`. */
  op1(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outName?: string): string {
    return this.op(opType, inputs, attrs, outName ? [outName] : 1)[0];
  }

  serialize(meta: { producer: string; version: string; opset: number; props?: Record<string, string> }): Uint8Array {
    const model = ModelProto.fromObject({
      ir_version: 8,
      producer_name: meta.producer,
      producer_version: meta.version,
      opset_import: [{ domain: '', version: meta.opset }],
      metadata_props: Object.entries(meta.props ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: meta.producer,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      },
    });
    return ModelProto.encode(model).finish();
  }

  #fresh(hint: string): string {
    return `${hint}_${this.#counter++}`;
  }
}

function valueInfo(name: string, type: DataTypeCode, dims: Dim[]): object {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: type,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): object {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  return { name, type: AttributeType.INTS, ints: v.ints };
}

function toBytes(arr: Float32Array | BigInt64Array): Uint8Array {
  // Node and every platform onnxruntime ships for are little-endian, as ONNX raw_data requires.
  return new Uint8Array(arr.buffer.slice(arr.byteOffset, arr.byteOffset + arr.byteLength));
}
