import { cholesky, choleskySolve, inverseDiagonal } from './linalg.js';
import { dot } from './vectors.js';

/** Ridge penalty of the head (on unit vectors; measured flat between 0.1 and 1). */
const RIDGE_LAMBDA = 0.1;
/**
 * Most training points of the ridge (examples + names). The fit is cubic in it (measured:
 * ~0.5 s at 700 points, ~1.5 s at 1,024, on a worker thread), so examples beyond the cap are
 * left out of the fit (evenly per label) and serve as held-out checks instead; the centroid
 * head always uses every example.
 */
export const MAX_RIDGE_POINTS = 1024;
/** Most examples the leave-one-out choice is scored on (evenly per label); beyond it adds time, not information. */
const MAX_CHECKED_EXAMPLES = 2000;
/** Candidate weights of the examples' head against the label-name similarity. */
const FUSION_GRID = [0, 0.15, 0.3, 0.5, 0.7, 0.85, 1];
const TEMPERATURE_GRID = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1, 1.5, 2];

export interface LabeledVector {
  vector: Float32Array;
  label: number;
}

/** A fitted head as plain data (it is fitted in a worker thread and sent back). */
export interface HeadParams {
  kind: 'ridge' | 'centroid';
  fusion: number;
  temperature: number;
  /** dim × labels, row-major (ridge only; empty for centroid). */
  weights: Float64Array;
  centroids: Float32Array[];
}

/**
 * Fits the few-shot head: a one-vs-rest ridge classifier (training points: examples plus each
 * label's name prototype) or the example centroids, fused with the zero-shot name similarity.
 * Which head, how much to trust examples over names, and the softmax temperature are chosen by
 * leave-one-out on the examples — exact for the ridge's own points, plain held-out prediction
 * for examples beyond MAX_RIDGE_POINTS — so noisy examples (sentiment, emotion) leave the names
 * in charge and crisp ones (intents) take over.
 */
export function fitFewShotHead(names: Float32Array[], examples: LabeledVector[]): HeadParams {
  const labels = names.length;
  const dim = names[0].length;
  const inFit = chooseRidgeExamples(examples, labels);
  const fitted = examples.filter((_, i) => inFit[i]);
  const ridge = fitRidge([...fitted, ...names.map((vector, label) => ({ vector, label }))], labels, dim);

  const sums = names.map(() => new Float32Array(dim));
  const counts = new Array<number>(labels).fill(0);
  for (const e of examples) {
    counts[e.label]++;
    for (let d = 0; d < dim; d++) sums[e.label][d] += e.vector[d];
  }
  const centroids = sums.map((sum) => unit(sum));

  let fitIndex = 0;
  const checked = spreadEvenly(examples, labels, MAX_CHECKED_EXAMPLES);
  const loo = examples.flatMap((e, i) => {
    const fitRow = inFit[i] ? ridge.loo[fitIndex++] : undefined;
    return checked[i] ? [{ e, fitRow }] : [];
  }).map(({ e, fitRow }) => ({
    label: e.label,
    name: zscore(names.map((p) => dot(e.vector, p))),
    ridge: zscore(fitRow ?? project(e.vector, ridge.weights, labels)),
    // The example's own vector is taken out of its label's centroid.
    centroid: zscore(centroids.map((c, j) => (j === e.label ? (counts[j] > 1 ? dot(e.vector, unit(sums[j].map((v, d) => v - e.vector[d]))) : 0) : dot(e.vector, c)))),
  }));
  // Names alone are the default; examples must beat them by more than leave-one-out noise
  // (0.5·√n hits) to be trusted, so a few noisy examples cannot make the answer worse.
  const namesOnly = loo.filter((s) => argmax(s.name) === s.label).length;
  const margin = 0.5 * Math.sqrt(loo.length);
  let best = { kind: 'ridge' as 'ridge' | 'centroid', fusion: 0, correct: namesOnly };
  for (const kind of ['ridge', 'centroid'] as const) {
    for (const fusion of FUSION_GRID) {
      if (fusion === 0) continue;
      const correct = loo.filter((s) => argmax(fuse(s.name, s[kind], fusion)) === s.label).length;
      if (correct - margin > namesOnly && correct > best.correct) best = { kind, fusion, correct };
    }
  }
  const temperature = fitTemperature(loo.map((s) => ({ scores: fuse(s.name, s[best.kind], best.fusion), label: s.label })));
  return { kind: best.kind, fusion: best.fusion, temperature, weights: best.kind === 'ridge' ? ridge.weights : new Float64Array(0), centroids };
}

/** Scores texts with a fitted head. */
export class FewShotHead {
  readonly #params: HeadParams;
  readonly #names: Float32Array[];

  constructor(names: Float32Array[], params: HeadParams) {
    this.#names = names;
    this.#params = params;
  }

  get temperature(): number {
    return this.#params.temperature;
  }

  get fusion(): number {
    return this.#params.fusion;
  }

  get kind(): 'ridge' | 'centroid' {
    return this.#params.kind;
  }

  /** Fused per-label scores of a text vector (z-scored, so on one scale for every config). */
  scores(vector: Float32Array): number[] {
    const { kind, fusion, weights, centroids } = this.#params;
    const names = zscore(this.#names.map((p) => dot(vector, p)));
    const other = kind === 'centroid' ? centroids.map((c) => dot(vector, c)) : project(vector, weights, this.#names.length);
    return fuse(names, zscore(other), fusion);
  }
}

/** Up to MAX_RIDGE_POINTS − labels examples, spread evenly over labels (first ones first). */
function chooseRidgeExamples(examples: LabeledVector[], labels: number): boolean[] {
  return spreadEvenly(examples, labels, MAX_RIDGE_POINTS - labels);
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

function fuse(name: number[], other: number[], weight: number): number[] {
  return name.map((v, j) => (1 - weight) * v + weight * other[j]);
}

function unit(v: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(v, v)) || 1;
  return v.map((x) => x / norm);
}

function zscore(values: number[]): number[] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) || 1;
  return values.map((v) => (v - mean) / sd);
}

export function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Softmax temperature with the lowest leave-one-out negative log-likelihood. */
function fitTemperature(samples: { scores: number[]; label: number }[]): number {
  let best = { t: 1, nll: Infinity };
  for (const t of TEMPERATURE_GRID) {
    let nll = 0;
    for (const { scores, label } of samples) {
      const max = Math.max(...scores);
      const total = scores.reduce((a, s) => a + Math.exp((s - max) / t), 0);
      nll -= (scores[label] - max) / t - Math.log(total);
    }
    if (nll < best.nll) best = { t, nll };
  }
  return best.t;
}
