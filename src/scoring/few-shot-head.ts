import { cholesky, choleskySolve, inverseDiagonal } from './linalg.js';
import { dot } from './vectors.js';

/** Ridge penalty of the head (on unit vectors; measured flat between 0.1 and 1). */
const RIDGE_LAMBDA = 0.1;
/** Candidate weights of the examples' head against the label-name similarity. */
const FUSION_GRID = [0, 0.15, 0.3, 0.5, 0.7, 0.85, 1];
const TEMPERATURE_GRID = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1, 1.5, 2];

/**
 * A few-shot head fitted on example embeddings in milliseconds: a one-vs-rest ridge
 * classifier (training points: the examples plus each label's name prototype) or the example
 * centroids, fused with the zero-shot name similarity. Which head, how much to trust examples
 * over names, and the softmax
 * temperature, are chosen by exact leave-one-out on the examples themselves — so labels whose
 * examples are noisy (sentiment, emotion) lean on their names, and crisp intents on examples.
 */
export class FewShotHead {
  readonly #weights: Float64Array; // dim × labels
  readonly #names: Float32Array[];
  readonly #centroids: Float32Array[];
  readonly #labels: number;
  /** Which example signal won leave-one-out: the ridge classifier or the example centroids. */
  readonly kind: 'ridge' | 'centroid';
  readonly fusion: number;
  readonly temperature: number;

  constructor(names: Float32Array[], examples: { vector: Float32Array; label: number }[]) {
    const labels = names.length;
    const points = [...examples, ...names.map((vector, label) => ({ vector, label }))];
    const n = points.length;
    const dim = names[0].length;
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
    this.#weights = new Float64Array(dim * labels);
    points.forEach((p, i) => {
      for (let d = 0; d < dim; d++) for (let j = 0; j < labels; j++) this.#weights[d * labels + j] += p.vector[d] * alpha[i * labels + j];
    });
    this.#names = names;
    this.#labels = labels;

    const sums = names.map(() => new Float32Array(dim));
    const counts = new Array<number>(labels).fill(0);
    for (const e of examples) {
      counts[e.label]++;
      for (let d = 0; d < dim; d++) sums[e.label][d] += e.vector[d];
    }
    this.#centroids = sums.map((sum) => unit(sum));

    // Exact leave-one-out scores of both heads: ridge y_i − α_i / [(K + λI)⁻¹]_ii, and
    // centroids with the example's own vector taken out of its label's sum.
    const inv = inverseDiagonal(factor, n);
    const loo = examples.map((e, i) => {
      const ridge = Array.from({ length: labels }, (_, j) => targets[i * labels + j] - alpha[i * labels + j] / inv[i]);
      const centroid = this.#centroids.map((c, j) => (j === e.label ? (counts[j] > 1 ? dot(e.vector, unit(sums[j].map((v, d) => v - e.vector[d]))) : 0) : dot(e.vector, c)));
      return { label: e.label, ridge: zscore(ridge), centroid: zscore(centroid), name: zscore(names.map((p) => dot(e.vector, p))) };
    });
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
    this.kind = best.kind;
    this.fusion = best.fusion;
    this.temperature = fitTemperature(loo.map((s) => ({ scores: fuse(s.name, s[best.kind], best.fusion), label: s.label })));
  }

  /** Fused per-label scores of a text vector (z-scored, so on one scale for every config). */
  scores(vector: Float32Array): number[] {
    const names = zscore(this.#names.map((p) => dot(vector, p)));
    if (this.kind === 'centroid') return fuse(names, zscore(this.#centroids.map((c) => dot(vector, c))), this.fusion);
    const ridge = new Array<number>(this.#labels).fill(0);
    for (let d = 0; d < vector.length; d++) {
      const x = vector[d];
      for (let j = 0; j < this.#labels; j++) ridge[j] += x * this.#weights[d * this.#labels + j];
    }
    return fuse(names, zscore(ridge), this.fusion);
  }
}

function fuse(name: number[], ridge: number[], weight: number): number[] {
  return name.map((v, j) => (1 - weight) * v + weight * ridge[j]);
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
