import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './data.js';

export interface Hotspot {
  name: string;
  where: string;
  /** Share of sampled self time, %. */
  pct: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

/** Runs `fn` back to back for `durationMs` under the V8 sampling profiler; returns top self-time functions. */
export async function profileHotspots(fn: () => unknown, durationMs: number, top: number): Promise<Hotspot[]> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 }); // µs
  await session.post('Profiler.start');
  const end = performance.now() + durationMs;
  while (performance.now() < end) await fn();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[] } };
  session.disconnect();
  const self = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits || n.callFrame.functionName === '(idle)') continue;
    total += hits;
    const { functionName, url } = n.callFrame;
    // File only: tsx-transpiled sources report their own line numbers, not the .ts ones.
    const key = `${functionName || '(anonymous)'}\u0000${shortUrl(url)}`;
    self.set(key, (self.get(key) ?? 0) + hits);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, hits]) => {
      const [name, where] = k.split('\u0000');
      return { name, where, pct: (hits / total) * 100 };
    });
}

function shortUrl(url: string): string {
  if (!url) return 'native';
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  const rel = path.startsWith(ROOT) ? relative(ROOT, path) : path;
  return rel.replace(/^.*node_modules\//, '');
}

/**
 * Main-thread CPU profile of one run of `fn`: the sampled busy time (ms) and its self-time share
 * per source file (node_modules by package file, V8/libuv as `native`), largest first.
 */
export async function profileByFile(fn: () => Promise<unknown>, top: number): Promise<{ busyMs: number; files: Hotspot[] }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 }); // µs: a run of minutes stays small
  await session.post('Profiler.start');
  await fn();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] } };
  session.disconnect();
  const byFile = new Map<string, number>();
  let busy = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    const name = n.callFrame.functionName;
    if (!hits || name === '(idle)') continue;
    busy += hits;
    // GC and unattributed VM time ("(program)") are their own rows; the rest by source file.
    const where = name.startsWith('(') ? name : shortUrl(n.callFrame.url);
    byFile.set(where, (byFile.get(where) ?? 0) + hits);
  }
  const msPerHit = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  return {
    busyMs: busy * msPerHit,
    files: [...byFile.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, hits]) => ({ name: '', where, pct: (hits / Math.max(1, busy)) * 100 })),
  };
}
