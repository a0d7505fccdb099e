import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './data.js';

/**
 * Runs `node <args>` in the project root and resolves with the JSON object on its last stdout
 * line, plus the wall time from spawn to that line (the process-start cost the child can't see).
 * `onStderr` sees the child's stderr as it comes (progress of long runs).
 */
export function runChild(args: string[], options: { onStderr?: (text: string) => void } = {}): Promise<{ result: Record<string, unknown>; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let wallMs = 0;
    let out = '';
    let err = '';
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!wallMs && out.includes('\n')) wallMs = performance.now() - started;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      options.onStderr?.(d.toString());
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`child exited ${code}: ${err.slice(-2000)}`));
      resolve({ result: JSON.parse(line) as Record<string, unknown>, wallMs });
    });
  });
}

/** Newest mtime under a folder (recursively), ms. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * What a user's process imports: the built `dist/index.js` when `npm run bench` just built it or
 * it is at least as new as `src/`, otherwise the TypeScript sources through tsx (slower to load).
 */
export function engineEntry(): { url: string; loader: string[]; label: string } {
  try {
    const built = statSync(join(ROOT, 'dist/index.js')).mtimeMs;
    if (process.env.npm_lifecycle_event === 'bench' || built >= newest(join(ROOT, 'src'))) {
      return { url: new URL('dist/index.js', `file://${ROOT}`).href, loader: [], label: 'dist/index.js (built, no tsx)' };
    }
  } catch {
    // no dist: fall through
  }
  return { url: new URL('src/index.ts', `file://${ROOT}`).href, loader: ['--import', 'tsx'], label: 'src/index.ts via tsx (dist missing or stale)' };
}
