// A model hub on 127.0.0.1 laid out like huggingface.co (`/{repo}/resolve/{revision}/{file}`),
// serving files from memory with Range support, and switches for the failures a download must
// survive or report: a connection cut mid-file, corrupted bytes, a required token, a server that
// ignores Range. Every request is recorded (path and headers) for the tests to inspect.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import type { ModelPreset } from '../../src/model/hub/presets.js';
import { listen } from './http-server.js';
import { TINY_DIM, writeTinyHfModel } from './tiny-hf-model.js';

export interface HubFaults {
  /** Cut the connection after this many body bytes, on the first this-many requests of `file`. */
  cut?: { file: string; afterBytes: number; times: number };
  /** Serve `file` with its last byte flipped. */
  corrupt?: string;
  /** Answer 401 unless `Authorization: Bearer <token>`. */
  token?: string;
  /** Answer 200 with the whole file even to a Range request. */
  ignoreRange?: boolean;
  /** Answer this status (e.g. 503) to the first `times` requests. */
  fail?: { status: number; times: number };
}

export interface TinyHub {
  origin: string;
  requests: { path: string; headers: IncomingHttpHeaders; status: number; bytes: number }[];
  faults: HubFaults;
  close(): Promise<void>;
}

/** Serves `files` (path inside the repo → bytes) of `repo` at `revision`. */
export async function startHub(repo: string, revision: string, files: Record<string, Buffer>): Promise<TinyHub> {
  // The server reads faults through this same object, so tests may replace `hub.faults`.
  const hub: TinyHub = { origin: '', requests: [], faults: {}, close: async () => {} };
  const cuts = new Map<string, number>();
  const prefix = `/${repo}/resolve/${revision}/`;
  const s = await listen((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    const file = url.startsWith(prefix) ? url.slice(prefix.length) : undefined;
    const record = (status: number, bytes = 0) => hub.requests.push({ path: url, headers: req.headers, status, bytes });
    const { faults } = hub;
    if (faults.token && req.headers.authorization !== `Bearer ${faults.token}`) {
      record(401);
      res.writeHead(401).end('unauthorized');
      return;
    }
    if (faults.fail && faults.fail.times > 0) {
      faults.fail.times--;
      record(faults.fail.status);
      res.writeHead(faults.fail.status).end('try later');
      return;
    }
    let body = file !== undefined ? files[file] : undefined;
    if (!body) {
      record(404);
      res.writeHead(404).end('Entry not found');
      return;
    }
    if (faults.corrupt === file) {
      body = Buffer.from(body);
      body[body.length - 1] ^= 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (range && !faults.ignoreRange) {
      start = Number(range[1]);
      if (start >= body.length) {
        record(416);
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    const slice = body.subarray(start);
    const cut = faults.cut;
    const cutsSoFar = cuts.get(file!) ?? 0;
    if (cut && cut.file === file && cutsSoFar < cut.times) {
      cuts.set(file!, cutsSoFar + 1);
      const sent = slice.subarray(0, cut.afterBytes);
      record(res.statusCode, sent.length);
      // Flush what was "sent", then drop the socket mid-body.
      res.write(sent, () => setImmediate(() => res.socket?.destroy()));
      return;
    }
    record(res.statusCode, slice.length);
    res.end(slice);
  });
  hub.origin = s.origin;
  hub.close = s.close;
  return hub;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The tiny test model as hub files (`tokenizer.json`, `onnx/model_quantized.onnx`) and a preset
 * pinned to them, named `name`, in `repo`.
 */
export async function tinyPreset(workDir: string, overrides: Partial<ModelPreset> = {}): Promise<{ preset: ModelPreset; files: Record<string, Buffer> }> {
  const dir = join(workDir, 'tiny-src');
  await writeTinyHfModel(dir);
  const tokenizer = await readFile(join(dir, 'tokenizer.json'));
  const onnx = await readFile(join(dir, 'onnx', 'model.onnx'));
  const preset: ModelPreset = {
    name: 'tiny-test',
    repo: 'labelwise-test/tiny',
    revision: 'main',
    upstream: 'labelwise-test/tiny',
    licence: 'Apache-2.0',
    files: {
      tokenizer: { hubPath: 'tokenizer.json', localPath: 'tokenizer.json', sha256: sha(tokenizer), size: tokenizer.length },
      onnx: { hubPath: 'onnx/model_quantized.onnx', localPath: 'onnx/model.onnx', sha256: sha(onnx), size: onnx.length },
    },
    pooling: 'mean',
    normalize: true,
    prefix: '',
    maxTokens: 512,
    dimension: TINY_DIM,
    modelType: 'bert',
    dtype: 'int8',
    ...overrides,
  };
  return { preset, files: { 'tokenizer.json': tokenizer, 'onnx/model_quantized.onnx': onnx } };
}
