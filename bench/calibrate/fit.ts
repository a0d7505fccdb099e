// Fits a model's ScorerCalibration on cached similarities of public rows (milliseconds), and
// cross-validates it leave-one-set-out against the engine default. Pure and deterministic:
// the same similarities give the same constants.
import type { ScorerCalibration } from '../../src/scoring/scorer.js';

/** One scored row: similarity to each label prototype, and the gold label index(es). */
export interface SimRow {
  sims: number[];
  gold: number[];
}

/** Cached similarities of one set's public rows. */
export interface SetSims {
  name: string;
  /** Single-label rows against name prototypes. */
  rows: SimRow[];
  /** The same rows against name + description prototypes (sets with descriptions). */
  described?: SimRow[];
  /** Two texts of different classes joined (two gold labels), against name prototypes. */
  pairs: SimRow[];
}

/** The zero-shot parts fitted on similarities, each with its own loss (the few-shot head: {@link chooseHead}). */
export type Part = 'temperature' | 'detection' | 'tag';
export type Losses = Record<Part, number>;

const range = (from: number, to: number, step: number) => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => Number((from + i * step).toFixed(6)));
const TEMPERATURES = range(0.002, 0.1, 0.0005);
const EPS = 1e-7;
const clampLog = (p: number) => Math.log(Math.min(1 - EPS, Math.max(EPS, p)));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number, d: number) => Number(x.toFixed(d));

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

/** A set's zero-shot settings as the engine scores them: names, and names + descriptions. */
const settingsOf = (s: SetSims): SimRow[][] => (s.described ? [s.rows, s.described] : [s.rows]);

interface Point {
  x: number;
  y: boolean;
}

/**
 * Detection (one label asked about): every (row, label) similarity, target "is its gold label".
 * Class-balanced within a set (positives and negatives weigh half each): a one-label question
 * carries no base rate, and otherwise a 77-label set's 1/77 positives would push the coin-flip
 * similarity above every cosine the model produces (it did: bias 0.94 on bge-small).
 */
function detectionPoints(rows: SimRow[]): { pos: Point[]; neg: Point[] } {
  const all = rows.flatMap(({ sims, gold }) => sims.map((x, i) => ({ x, y: gold.includes(i) })));
  return { pos: all.filter((p) => p.y), neg: all.filter((p) => !p.y) };
}

/** Tag: every (pair, label) margin over the best other label, target "in the pair's gold" (natural rate, as the engine's tag answers are read). */
function marginPoints(pairs: SimRow[]): Point[] {
  return pairs.flatMap(({ sims, gold }) =>
    sims.map((s, i) => {
      let other = -Infinity;
      for (let k = 0; k < sims.length; k++) if (k !== i && sims[k] > other) other = sims[k];
      return { x: s - other, y: gold.includes(i) };
    }),
  );
}

function logisticLoss(points: Point[], p: (x: number) => number): number {
  let total = 0;
  for (const { x, y } of points) total -= clampLog(y ? p(x) : 1 - p(x));
  return total / points.length;
}

const detectionLoss = (rows: SimRow[], cal: ZeroShot) => {
  const { pos, neg } = detectionPoints(rows);
  const p = (x: number) => sigmoid((x - cal.bias) / cal.scale);
  return (logisticLoss(pos, p) + logisticLoss(neg, p)) / 2;
};

const temperatureLoss = (sets: SetSims[], t: number) => mean(sets.map((s) => mean(settingsOf(s).map((rows) => softmaxLoss(rows, t)))));

/** Loss of each part of `cal` on some sets, each set (and each of its settings) weighing the same. */
export function losses(sets: SetSims[], cal: ZeroShot): Losses {
  const tagged = sets.filter((s) => s.pairs.length);
  return {
    temperature: temperatureLoss(sets, cal.temperature),
    detection: mean(sets.map((s) => detectionLoss(s.rows, cal))),
    tag: tagged.length ? mean(tagged.map((s) => logisticLoss(marginPoints(s.pairs), (m) => sigmoid(cal.tagBias + cal.tagSlope * m)))) : Number.NaN,
  };
}

/** Weighted logistic regression z = a + b·x by Newton's method (deterministic, a few dozen steps). */
function fitLogistic(points: (Point & { w: number })[]): { a: number; b: number } {
  let a = 0;
  let b = 1;
  for (let it = 0; it < 100; it++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (const { x, y, w } of points) {
      const p = sigmoid(a + b * x);
      const r = (y ? 1 : 0) - p;
      const v = p * (1 - p) * w;
      ga += w * r; gb += w * r * x; haa += v; hab += v * x; hbb += v * x * x;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

/** The zero-shot constants (temperature, detection, tag) minimising the mean per-set loss over `sets`. */
export type ZeroShot = Omit<ScorerCalibration, 'headPrior' | 'headScale'>;

/** The zero-shot constants minimising the mean per-set loss over `sets`. */
export function fitCalibration(sets: SetSims[]): ZeroShot {
  let t = TEMPERATURES[0];
  let best = Infinity;
  for (const candidate of TEMPERATURES) {
    const loss = temperatureLoss(sets, candidate);
    if (loss < best - 1e-12) [t, best] = [candidate, loss];
  }
  // Each set weighs 1; within it positives and negatives weigh ½ each.
  const det = fitLogistic(
    sets.flatMap((s) => {
      const { pos, neg } = detectionPoints(s.rows);
      return [...pos.map((p) => ({ ...p, w: 0.5 / pos.length })), ...neg.map((p) => ({ ...p, w: 0.5 / neg.length }))];
    }),
  );
  const tagged = sets.filter((s) => s.pairs.length);
  const tag = fitLogistic(tagged.flatMap((s) => marginPoints(s.pairs).map((p, _, all) => ({ ...p, w: 1 / all.length }))));
  return { temperature: t, bias: round(-det.a / det.b, 4), scale: round(1 / det.b, 4), tagBias: round(tag.a, 3), tagSlope: round(tag.b, 2) };
}


export interface CrossValidation {
  /** The constants fitted with each set left out. */
  folds: { left: string; fitted: ZeroShot; loss: Losses; baselineLoss: Losses }[];
  /** Mean left-out loss of the fold fits and of the baseline. */
  fitted: Losses;
  baseline: Losses;
}

/** Leave-one-set-out: fit on the others, loss on the one left out, per part. */
export function crossValidate(sets: SetSims[], baseline: ZeroShot): CrossValidation {
  const folds = sets.map((left) => {
    const fitted = fitCalibration(sets.filter((s) => s !== left));
    return { left: left.name, fitted, loss: losses([left], fitted), baselineLoss: losses([left], baseline) };
  });
  const avg = (pick: (f: (typeof folds)[number]) => Losses): Losses => {
    const ls = folds.map(pick);
    const of = (part: Part) => mean(ls.map((l) => l[part]).filter((v) => !Number.isNaN(v)));
    return { temperature: of('temperature'), detection: of('detection'), tag: of('tag') };
  };
  return { folds, fitted: avg((f) => f.loss), baseline: avg((f) => f.baselineLoss) };
}

/**
 * The calibration to ship: each part fitted on all the sets where its leave-one-set-out loss beats
 * the baseline's, else the baseline's constants for that part.
 */
export function choose(fitted: ZeroShot, cv: CrossValidation, baseline: ZeroShot): { calibration: ZeroShot; adopted: Record<Part, boolean> } {
  const adopted = { temperature: cv.fitted.temperature < cv.baseline.temperature, detection: cv.fitted.detection < cv.baseline.detection, tag: cv.fitted.tag < cv.baseline.tag };
  return {
    adopted,
    calibration: {
      temperature: adopted.temperature ? fitted.temperature : baseline.temperature,
      bias: adopted.detection ? fitted.bias : baseline.bias,
      scale: adopted.detection ? fitted.scale : baseline.scale,
      tagBias: adopted.tag ? fitted.tagBias : baseline.tagBias,
      tagSlope: adopted.tag ? fitted.tagSlope : baseline.tagSlope,
    },
  };
}

/** Head logits of one set's public rows for one prior temperature (see ./few-shot.ts). */
export interface HeadRows {
  name: string;
  prior: number;
  rows: SimRow[];
}

const SCALES = range(0.25, 4, 0.01);

/** The logit scale minimising the mean per-set log-loss of softmax(scale · logits). */
export function fitHeadScale(sets: HeadRows[]): number {
  let best = 1;
  let bestLoss = Infinity;
  for (const s of SCALES) {
    const loss = mean(sets.map((set) => softmaxLoss(set.rows, 1 / s)));
    if (loss < bestLoss - 1e-12) [best, bestLoss] = [s, loss];
  }
  return best;
}

export interface HeadChoice {
  headPrior: number;
  headScale: number;
  adopted: boolean;
  /** Per candidate prior: the left-out loss of fold-fitted scales, per fold and on average. */
  candidates: { prior: number; scale: number; folds: { left: string; scale: number; loss: number }[]; loss: number }[];
  /** The baseline (default prior, scale 1) on the same rows. */
  baseline: { prior: number; scale: number; loss: number };
}

/**
 * The few-shot head's prior and logit scale: for each candidate prior, scales fitted
 * leave-one-set-out and scored on the set left out; the candidate with the lowest mean left-out
 * loss is kept if it beats the baseline (default prior, unscaled), else the baseline is.
 */
export function chooseHead(rows: HeadRows[], baseline: { headPrior: number; headScale: number }): HeadChoice {
  const priors = [...new Set(rows.map((r) => r.prior))];
  const candidates = priors.map((prior) => {
    const sets = rows.filter((r) => r.prior === prior);
    const folds = sets.map((left) => {
      const scale = fitHeadScale(sets.filter((s) => s !== left));
      return { left: left.name, scale, loss: softmaxLoss(left.rows, 1 / scale) };
    });
    return { prior, scale: fitHeadScale(sets), folds, loss: mean(folds.map((f) => f.loss)) };
  });
  const base = rows.filter((r) => r.prior === baseline.headPrior);
  if (!base.length) throw new Error(`the head rows must include the baseline prior ${baseline.headPrior}`);
  const baselineLoss = mean(base.map((s) => softmaxLoss(s.rows, 1 / baseline.headScale)));
  const best = candidates.reduce((a, b) => (b.loss < a.loss ? b : a));
  const adopted = best.loss < baselineLoss;
  return {
    headPrior: adopted ? best.prior : baseline.headPrior,
    headScale: adopted ? best.scale : baseline.headScale,
    adopted,
    candidates,
    baseline: { prior: baseline.headPrior, scale: baseline.headScale, loss: baselineLoss },
  };
}
