// Fits a model's ScorerCalibration on cached similarities (milliseconds): grid searches that
// minimise log-loss, pooled over the sets, with leave-one-set-out to show a constant is not one
// set's. Pure and deterministic: the same similarities give the same constants.
import type { ScorerCalibration } from '../../src/scoring/scorer.js';

/** One scored row: similarity to each label prototype, and the gold label index(es). */
export interface SimRow {
  sims: number[];
  gold: number[];
}

/** Cached similarities of one set: single-label rows and joined pairs (two gold labels). */
export interface SetSims {
  name: string;
  rows: SimRow[];
  pairs: SimRow[];
}

const range = (from: number, to: number, step: number) => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => Number((from + i * step).toFixed(6)));
const TEMPERATURES = range(0.002, 0.1, 0.001);
const EPS = 1e-7;
const clampLog = (p: number) => Math.log(Math.min(1 - EPS, Math.max(EPS, p)));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Mean negative log-likelihood of the gold label under softmax(sims / T). */
export function softmaxLoss(rows: SimRow[], t: number): number {
  let total = 0;
  for (const { sims, gold } of rows) {
    const max = Math.max(...sims);
    let z = 0;
    for (const s of sims) z += Math.exp((s - max) / t);
    total -= (sims[gold[0]] - max) / t - Math.log(z);
  }
  return total / rows.length;
}

/** Detection: every (row, label) similarity with "is its gold label" as the target. */
function detectionPoints(rows: SimRow[]): { x: number; y: boolean }[] {
  return rows.flatMap(({ sims, gold }) => sims.map((x, i) => ({ x, y: gold.includes(i) })));
}

/** Tag: every (pair, label) margin over the best other label, target "in the pair's gold". */
function marginPoints(pairs: SimRow[]): { x: number; y: boolean }[] {
  return pairs.flatMap(({ sims, gold }) =>
    sims.map((s, i) => {
      let other = -Infinity;
      for (let k = 0; k < sims.length; k++) if (k !== i && sims[k] > other) other = sims[k];
      return { x: s - other, y: gold.includes(i) };
    }),
  );
}

/** Mean log-loss of a logistic. */
function logisticLoss(points: { x: number; y: boolean }[], p: (x: number) => number): number {
  let total = 0;
  for (const { x, y } of points) total -= clampLog(y ? p(x) : 1 - p(x));
  return total / points.length;
}

function argminGrid<T>(grid: T[], loss: (g: T) => number): { value: T; loss: number } {
  let best = { value: grid[0], loss: Infinity };
  for (const g of grid) {
    const l = loss(g);
    if (l < best.loss - 1e-12) best = { value: g, loss: l };
  }
  return best;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Loss of each fitted part of `cal` on some sets, each set weighing the same. */
export function losses(sets: SetSims[], cal: ScorerCalibration): { temperature: number; detection: number; tag: number } {
  return {
    temperature: mean(sets.map((s) => softmaxLoss(s.rows, cal.temperature))),
    detection: mean(sets.map((s) => logisticLoss(detectionPoints(s.rows), (x) => sigmoid((x - cal.bias) / cal.scale)))),
    tag: mean(sets.filter((s) => s.pairs.length).map((s) => logisticLoss(marginPoints(s.pairs), (m) => sigmoid(cal.tagBias + cal.tagSlope * m)))),
  };
}

/**
 * Weighted logistic regression z = a + b·x by Newton's method (deterministic, a few steps):
 * each set weighs the same (so a 77-label set does not drown the others); within a set, points
 * are unweighted, so the output is a probability, not a class-balanced score.
 */
function fitLogistic(groups: { x: number; y: boolean }[][]): { a: number; b: number } {
  const pts = groups.flatMap((g) => {
    return g.map((p) => ({ ...p, w: 1 / (groups.length * g.length) }));
  });
  let a = 0, b = 1;
  for (let it = 0; it < 50; it++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (const { x, y, w } of pts) {
      const p = sigmoid(a + b * x);
      const r = (y ? 1 : 0) - p;
      const v = p * (1 - p) * w;
      ga += w * r; gb += w * r * x; haa += v; hab += v * x; hbb += v * x * x;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da; b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

const round = (x: number, d: number) => Number(x.toFixed(d));

/** The constants minimising the mean per-set loss over `sets`. */
export function fitCalibration(sets: SetSims[]): ScorerCalibration {
  const t = argminGrid(TEMPERATURES, (t) => mean(sets.map((s) => softmaxLoss(s.rows, t)))).value;
  const det = fitLogistic(sets.map((s) => detectionPoints(s.rows)));
  const tag = fitLogistic(sets.filter((s) => s.pairs.length).map((s) => marginPoints(s.pairs)));
  return { temperature: t, bias: round(-det.a / det.b, 4), scale: round(1 / det.b, 4), tagBias: round(tag.a, 3), tagSlope: round(tag.b, 2) };
}

/** Leave-one-set-out: fit on the others, loss on the one left out; summed per part. */
export function crossValidate(sets: SetSims[], baseline: ScorerCalibration): { folds: { left: string; fitted: ScorerCalibration }[]; fitted: ReturnType<typeof losses>; baseline: ReturnType<typeof losses> } {
  const folds = sets.map((left) => ({ left: left.name, fitted: fitCalibration(sets.filter((s) => s !== left)) }));
  const avg = (f: (i: number) => ReturnType<typeof losses>) => {
    const ls = sets.map((_, i) => f(i));
    return { temperature: mean(ls.map((l) => l.temperature)), detection: mean(ls.map((l) => l.detection)), tag: mean(ls.filter((l) => !Number.isNaN(l.tag)).map((l) => l.tag)) };
  };
  return {
    folds,
    fitted: avg((i) => losses([sets[i]], folds[i].fitted)),
    baseline: avg((i) => losses([sets[i]], baseline)),
  };
}
