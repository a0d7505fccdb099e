import { cholesky, choleskySolve, inverseDiagonal } from './linalg.js';
import { dot, normalize } from '../vector/index.js';

/** Ridge penalty of the head (on unit vectors; measured flat between 0.1 and 1). */
const RIDGE_LAMBDA = 0.1;
/**
 * Most training points of the ridge (examples + names). The fit is cubic in it (measured:
 * ~0.5 s at 700 points, ~1.5 s at 1,024, on a worker thread), so examples beyond the cap are
 * left out of the fit (evenly per label) and serve as held-out checks instead; the centroid
 * feature always uses every example.
 */
export const MAX_RIDGE_POINTS = 1024;
/** Most examples the leave-one-out fit is scored on (evenly per label); beyond it adds time, not information. */
const MAX_CHECKED_EXAMPLES = 2000;

/** What the head's logits are made of, per label: name similarity, ridge output, similarity to the example centroid. */
export const HEAD_FEATURES = ['name', 'ridge', 'centroid'] as const;

/** Choices of the head fit (defaults chosen by cross-validation on the public rows; see bench/accuracy-tune.ts). */
export interface HeadFitOptions {
  /**
   * Softmax temperature of the zero-shot name similarity: the prior the fit shrinks towards,
   * so few examples leave the calibrated zero-shot answer in charge. @default 0.04
   */
  zeroShotTemperature: number;
  /** Strength of that prior, in pseudo-samples per standardized feature. @default 10 */
  priorStrength: number;
  /** Which of HEAD_FEATURES may get weight (the others stay at their prior). @default all */
  features: readonly (typeof HEAD_FEATURES)[number][];
}

export const HEAD_DEFAULTS: Readonly<HeadFitOptions> = Object.freeze({ zeroShotTemperature: 0.04, priorStrength: 10, features: HEAD_FEATURES });

export interface LabeledVector {
  vector: Float32Array;
  label: number;
}

/** A fitted head as plain data (it is fitted in a worker thread and sent back). */
export interface HeadParams {
  /** Logit weight of each of HEAD_FEATURES. */
  theta: number[];
  /** dim × labels, row-major. */
  weights: Float64Array;
  centroids: Float32Array[];
}

/**
 * Fits the few-shot head: per label, a logit θ_name·cos(text, name) + θ_ridge·ridge(text) +
 * θ_centroid·cos(text, example centroid), where the ridge is a one-vs-rest kernel ridge
 * classifier over the examples and name prototypes. θ is the maximum a posteriori fit of a
 * softmax over labels on leave-one-out features of the examples (exact for the ridge's own
 * points), with a Gaussian prior centred on the zero-shot scorer (θ = 1/T₀, 0, 0). No per-text
 * standardisation: confidence follows the raw scores, so unrelated text stays near 1/labels and
 * two labels with one example each get a real probability, not ±1 after z-scoring. Few or noisy
 * examples keep θ near the prior; crisp ones earn weight in proportion to the evidence.
 */
export function fitFewShotHead(names: Float32Array[], examples: LabeledVector[], options: Partial<HeadFitOptions> = {}): HeadParams {
  const { zeroShotTemperature, priorStrength, features } = { ...HEAD_DEFAULTS, ...options };
  const labels = names.length;
  const dim = names[0].length;
  const inFit = spreadEvenly(examples, labels, MAX_RIDGE_POINTS - labels);
  const fitted = examples.filter((_, i) => inFit[i]);
  const ridge = fitRidge([...fitted, ...names.map((vector, label) => ({ vector, label }))], labels, dim);

  const sums = names.map(() => new Float32Array(dim));
  const counts = new Array<number>(labels).fill(0);
  for (const e of examples) {
    counts[e.label]++;
    for (let d = 0; d < dim; d++) sums[e.label][d] += e.vector[d];
  }
  // A label without examples has its name as centroid (the prior of where its examples lie).
  const centroids = sums.map((sum, j) => (counts[j] > 0 ? normalize(sum) : names[j]));

  let fitIndex = 0;
  const checked = spreadEvenly(examples, labels, MAX_CHECKED_EXAMPLES);
  const samples: Sample[] = [];
  examples.forEach((e, i) => {
    const fitRow = inFit[i] ? ridge.loo[fitIndex++] : undefined;
    if (!checked[i]) return;
    const name = names.map((p) => dot(e.vector, p));
    const r = fitRow ?? project(e.vector, ridge.weights, labels);
    // The example's own vector is taken out of its label's centroid (the name stands in when it was the only one).
    const own = counts[e.label] > 1 ? normalize(sums[e.label].map((v, d) => v - e.vector[d])) : names[e.label];
    const c = centroids.map((cj, j) => dot(e.vector, j === e.label ? own : cj));
    samples.push({ features: [name, r, c], label: e.label });
  });
  const prior = [1 / zeroShotTemperature, 0, 0];
  const free = HEAD_FEATURES.map((f) => features.includes(f));
  const theta = samples.length > 0 ? fitLogit(samples, prior, priorStrength, free) : prior;
  return { theta, weights: ridge.weights, centroids };
}

/** Scores texts with a fitted head. */
export class FewShotHead {
  readonly #params: HeadParams;
  readonly #names: Float32Array[];

  constructor(names: Float32Array[], params: HeadParams) {
    this.#names = names;
    this.#params = params;
  }

  /** Logit weights of HEAD_FEATURES (name, ridge, centroid). */
  get theta(): readonly number[] {
    return this.#params.theta;
  }

  /** Per-label logits of a text vector: softmax them for probabilities. */
  logits(vector: Float32Array): number[] {
    const { theta, weights, centroids } = this.#params;
    const r = project(vector, weights, this.#names.length);
    return this.#names.map((p, j) => theta[0] * dot(vector, p) + theta[1] * r[j] + theta[2] * dot(vector, centroids[j]));
  }
}

interface Sample {
  /** features[f][j]: feature f of label j. */
  features: number[][];
  label: number;
}

/**
 * MAP fit of a conditional logit (logit_j = Σ_f θ_f·x_fj) with prior θ ~ N(θ₀, 1/(κ·s_f²)),
 * s_f the feature's typical spread across labels, so κ reads as pseudo-samples whatever the
 * feature's scale. Concave: Newton steps on the free weights with step halving; weights kept non-negative.
 */
function fitLogit(samples: Sample[], prior: number[], kappa: number, free: boolean[]): number[] {
  const F = prior.length;
  const spread = new Array<number>(F).fill(0);
  for (const s of samples) for (let f = 0; f < F; f++) spread[f] += sd(s.features[f]) / samples.length;
  // A feature that never varies across labels carries no information: pinned to its prior.
  const precision = spread.map((v, f) => (free[f] && v > 1e-9 ? kappa * v * v : 1e12));
  const objective = (theta: number[]) => {
    let ll = 0;
    for (const s of samples) {
      const z = logitsOf(s, theta);
      ll += z[s.label] - logSumExp(z);
    }
    for (let f = 0; f < F; f++) ll -= 0.5 * precision[f] * (theta[f] - prior[f]) ** 2;
    return ll;
  };
  let theta = [...prior];
  let current = objective(theta);
  for (let iter = 0; iter < 50; iter++) {
    const grad = theta.map((t, f) => -precision[f] * (t - prior[f]));
    const hess = new Float64Array(F * F);
    for (let f = 0; f < F; f++) hess[f * F + f] = precision[f];
    for (const s of samples) {
      const z = logitsOf(s, theta);
      const lse = logSumExp(z);
      const p = z.map((v) => Math.exp(v - lse));
      const mean = s.features.map((x) => x.reduce((a, v, j) => a + p[j] * v, 0));
      for (let f = 0; f < F; f++) grad[f] += s.features[f][s.label] - mean[f];
      for (let f = 0; f < F; f++) {
        for (let g = 0; g <= f; g++) {
          let c = 0;
          for (let j = 0; j < p.length; j++) c += p[j] * (s.features[f][j] - mean[f]) * (s.features[g][j] - mean[g]);
          hess[f * F + g] += c;
          if (g !== f) hess[g * F + f] += c;
        }
      }
    }
    // Active set: a weight at its bound of 0 whose gradient points below it stays there, so
    // one blocked direction cannot stall the others (a plain projected step can).
    const active = theta.map((t, f) => t > 0 || grad[f] > 0);
    const idx = active.flatMap((a, f) => (a ? [f] : []));
    if (idx.length === 0) break;
    const m = idx.length;
    const sub = new Float64Array(m * m);
    idx.forEach((f, a) => idx.forEach((g, b) => (sub[a * m + b] = hess[f * F + g])));
    const step = new Array<number>(F).fill(0);
    try {
      const solved = choleskySolve(cholesky(sub, m), m, Float64Array.from(idx, (f) => grad[f]), 1);
      idx.forEach((f, a) => (step[f] = solved[a]));
    } catch {
      break; // numerically flat: keep the last good θ
    }
    let scale = 1;
    let next = theta;
    let value = current;
    for (; scale > 1e-4; scale /= 2) {
      next = theta.map((t, f) => Math.max(0, t + scale * step[f]));
      value = objective(next);
      if (value >= current) break;
    }
    if (value < current) break;
    const moved = Math.max(...next.map((t, f) => Math.abs(t - theta[f]) * spread[f]));
    theta = next;
    current = value;
    if (moved < 1e-6) break;
  }
  return theta;
}

function logitsOf(s: Sample, theta: number[]): number[] {
  const L = s.features[0].length;
  const z = new Array<number>(L).fill(0);
  for (let f = 0; f < theta.length; f++) for (let j = 0; j < L; j++) z[j] += theta[f] * s.features[f][j];
  return z;
}

function logSumExp(z: number[]): number {
  const max = Math.max(...z);
  return max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
}

function sd(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

/** Marks at most `budget` examples, the same number per label (at least one), first ones first. */
function spreadEvenly(examples: LabeledVector[], labels: number, budget: number): boolean[] {
  const perLabel = Math.max(1, Math.floor(budget / labels));
  const taken = new Array<number>(labels).fill(0);
  return examples.map((e) => taken[e.label]++ < perLabel);
}

/** Kernel ridge fit with exact leave-one-out scores of the first `points` that are examples. */
function fitRidge(points: LabeledVector[], labels: number, dim: number): { weights: Float64Array; loo: number[][] } {
  const n = points.length;
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) gram[i * n + j] = gram[j * n + i] = dot(points[i].vector, points[j].vector);
    gram[i * n + i] += RIDGE_LAMBDA;
  }
  const targets = new Float64Array(n * labels);
  points.forEach((p, i) => {
    for (let j = 0; j < labels; j++) targets[i * labels + j] = (p.label === j ? 1 : 0) - 1 / labels;
  });
  const factor = cholesky(gram, n);
  const alpha = choleskySolve(factor, n, targets, labels);
  // Primal weights W = Xᵀα, so scoring a text is one dim × labels product.
  const weights = new Float64Array(dim * labels);
  points.forEach((p, i) => {
    for (let d = 0; d < dim; d++) {
      const x = p.vector[d];
      for (let j = 0; j < labels; j++) weights[d * labels + j] += x * alpha[i * labels + j];
    }
  });
  // Exact leave-one-out: y_i − α_i / [(K + λI)⁻¹]_ii, no refitting.
  const inv = inverseDiagonal(factor, n);
  const loo = Array.from({ length: n - labels }, (_, i) => Array.from({ length: labels }, (_, j) => targets[i * labels + j] - alpha[i * labels + j] / inv[i]));
  return { weights, loo };
}

function project(vector: Float32Array, weights: Float64Array, labels: number): number[] {
  const out = new Array<number>(labels).fill(0);
  for (let d = 0; d < vector.length; d++) {
    const x = vector[d];
    for (let j = 0; j < labels; j++) out[j] += x * weights[d * labels + j];
  }
  return out;
}

export function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
