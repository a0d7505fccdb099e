/**
 * Which calibration an engine scores with: the model's fitted artefact (see ./artefacts and
 * `npm run calibrate`), with the caller's explicit `calibration` options winning field by field.
 */
import { DEFAULT_CALIBRATION, type ScorerCalibration } from '../../scoring/scorer.js';
import type { ResolvedOptions } from '../options.js';
import { CALIBRATION_SCHEMA } from './artefact.js';
import { CALIBRATIONS } from './table.js';

export { parseArtefact, CALIBRATION_SCHEMA, type CalibrationArtefact } from './artefact.js';

// The generated table is checked once at load: a bad constant fails the import, not a request.
for (const [model, cal] of Object.entries(CALIBRATIONS)) {
  const checked = CALIBRATION_SCHEMA.safeParse(cal);
  if (!checked.success) throw new Error(`calibration table entry "${model}" is malformed (${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); rerun npm run calibrate`);
}

/**
 * The fitted constants of a named model, `undefined` when it has none (use-lite: its constants
 * are {@link DEFAULT_CALIBRATION}; local `hf-onnx` folders and caller-given embedders: unknown).
 */
export function fittedCalibration(model: unknown): Readonly<ScorerCalibration> | undefined {
  return typeof model === 'string' && Object.hasOwn(CALIBRATIONS, model) ? CALIBRATIONS[model] : undefined;
}

/**
 * The calibration for `model`: defaults, then the model's artefact, then `explicit` (only the
 * fields the caller gave; they always win). The result is frozen.
 */
export function calibrationFor(model: unknown, explicit: Partial<ScorerCalibration> = {}): Readonly<ScorerCalibration> {
  const given = Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined));
  return Object.freeze({ ...DEFAULT_CALIBRATION, ...fittedCalibration(model), ...given });
}

/**
 * The calibration `createEngine` scores with. A caller-given embedder is not the named model
 * (`model` then keeps its default), so only explicit options move the default for it.
 */
export function engineCalibration(options: Pick<ResolvedOptions, 'model' | 'embedder' | 'calibration'>): Readonly<ScorerCalibration> {
  return calibrationFor(options.embedder ? undefined : options.model, options.calibration);
}
