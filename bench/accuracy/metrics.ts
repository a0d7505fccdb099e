/** Accuracy, macro-F1 and expected calibration error of single-label predictions. */
export interface Scores {
  accuracy: number;
  macroF1: number;
  ece: number;
  /** Mean confidence: above accuracy means over-confident, below means under-confident. */
  meanConfidence: number;
}

export function score(gold: string[], predicted: string[], confidence: number[], labels: string[]): Scores {
  let correct = 0;
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  gold.forEach((g, i) => {
    if (g === predicted[i]) {
      correct++;
      inc(tp, g);
    } else {
      inc(fp, predicted[i]);
      inc(fn, g);
    }
  });
  const f1s = labels.map((l) => {
    const t = tp.get(l) ?? 0;
    const p = t + (fp.get(l) ?? 0);
    const r = t + (fn.get(l) ?? 0);
    return p === 0 || r === 0 ? 0 : (2 * t) / (p + r);
  });
  return {
    accuracy: correct / gold.length,
    macroF1: f1s.reduce((a, b) => a + b, 0) / labels.length,
    ece: ece(gold.map((g, i) => g === predicted[i]), confidence),
    meanConfidence: confidence.reduce((a, b) => a + b, 0) / confidence.length,
  };
}

/** Expected calibration error over 15 equal-width confidence bins. */
export function ece(correct: boolean[], confidence: number[], bins = 15): number {
  const count = new Array(bins).fill(0);
  const hits = new Array(bins).fill(0);
  const conf = new Array(bins).fill(0);
  confidence.forEach((c, i) => {
    const b = Math.min(bins - 1, Math.floor(c * bins));
    count[b]++;
    conf[b] += c;
    if (correct[i]) hits[b]++;
  });
  let total = 0;
  for (let b = 0; b < bins; b++) if (count[b]) total += Math.abs(hits[b] / count[b] - conf[b] / count[b]) * count[b];
  return total / confidence.length;
}

/** Micro precision and recall of multi-label predictions. */
export function precisionRecall(gold: string[][], predicted: string[][]): { precision: number; recall: number } {
  let tp = 0;
  let predictedCount = 0;
  let goldCount = 0;
  gold.forEach((g, i) => {
    const set = new Set(g);
    predictedCount += predicted[i].length;
    goldCount += g.length;
    for (const p of predicted[i]) if (set.has(p)) tp++;
  });
  return { precision: predictedCount ? tp / predictedCount : 0, recall: goldCount ? tp / goldCount : 0 };
}
