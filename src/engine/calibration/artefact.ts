/**
 * The per-model calibration artefact (`artefacts/<model>.json`, written by `npm run calibrate --
 * --model NAME`): the constants the engine scores that model with, plus the fit and its
 * cross-validation report. Checked here, so a hand-edited or truncated file fails the build's
 * tests and the table generator instead of reaching an engine as NaN confidences.
 */
import * as z from 'zod';
import type { ScorerCalibration } from '../../scoring/scorer.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positive = finite.refine((v) => v > 0, 'must be above 0');

/** The scorer constants, no more and no fewer. */
export const CALIBRATION_SCHEMA = z.strictObject({
  temperature: positive,
  bias: finite,
  scale: positive,
  tagBias: finite,
  tagSlope: finite,
  headPrior: positive,
  headScale: positive,
}) satisfies z.ZodType<ScorerCalibration>;

/** What an artefact file must hold (its report fields are free-form). */
export const ARTEFACT_SCHEMA = z.object({
  model: z.string().min(1),
  calibration: CALIBRATION_SCHEMA,
  rows: z.string().min(1),
  crossValidation: z.record(z.string(), z.unknown()),
});

export type CalibrationArtefact = z.infer<typeof ARTEFACT_SCHEMA>;

/**
 * Parses an artefact file's text; `file` names it in the error. Throws on bad JSON, a missing or
 * out-of-range constant, or a file name that is not `<model>.json`.
 */
export function parseArtefact(text: string, file: string): CalibrationArtefact {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`calibration artefact ${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = ARTEFACT_SCHEMA.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`calibration artefact ${file}: ${issues}`);
  }
  const base = file.split(/[\\/]/).pop();
  if (base !== `${parsed.data.model}.json`) throw new Error(`calibration artefact ${file}: holds model "${parsed.data.model}", so it must be named ${parsed.data.model}.json`);
  return parsed.data;
}
