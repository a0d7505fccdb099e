/**
 * Field builders for option specs. A field without a `default` resolves to `undefined` when
 * not given; a `default` may be a function, evaluated at resolve time (environment, CPU count).
 */
import { LabelwiseOptionsError } from './error.js';
import { invalid, optionName, type Field } from './resolve.js';

type Default<T> = T | (() => T);

function fill<T>(d: Default<T>): T {
  return typeof d === 'function' ? (d as () => T)() : d;
}

function field<T>(expected: string, test: (v: unknown) => boolean, fallback: Default<T> | undefined): Field<T> {
  return {
    expected,
    resolve(value, path) {
      if (value === undefined) return fallback === undefined ? (undefined as T) : fill(fallback);
      if (!test(value)) throw invalid(path, expected, value);
      return value as T;
    },
  };
}

/** Bounds of a number option, and its unit for messages (e.g. `ms`, `bytes`). */
export interface Range {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Values must be greater than this (exclusive lower bound). */
  above?: number;
  unit?: string;
}

function rangeText(noun: string, r: Range): string {
  let text = r.min === 1 && noun === 'integer' ? 'a positive integer' : r.min === 0 ? `a non-negative ${noun}` : r.above === 0 ? `a positive ${noun}` : `a${noun === 'integer' ? 'n' : ''} ${noun}`;
  if (r.min !== undefined && r.min > 1) text += ` ≥ ${r.min}`;
  if (r.max !== undefined) text += ` ≤ ${r.max}`;
  return r.unit ? `${text} (${r.unit})` : text;
}

function inRange(v: number, r: Range): boolean {
  return (r.min === undefined || v >= r.min) && (r.max === undefined || v <= r.max) && (r.above === undefined || v > r.above);
}

/** A safe integer within `range`. */
export function integer(range: Range & { default: Default<number> }): Field<number>;
export function integer(range?: Range): Field<number | undefined>;
export function integer(range: Range & { default?: Default<number> } = {}): Field<number | undefined> {
  return field(rangeText('integer', range), (v) => Number.isSafeInteger(v) && inRange(v as number, range), range.default);
}

/** A finite number within `range`. */
export function number(range: Range & { default: Default<number> }): Field<number>;
export function number(range?: Range): Field<number | undefined>;
export function number(range: Range & { default?: Default<number> } = {}): Field<number | undefined> {
  return field(rangeText('number', range), (v) => typeof v === 'number' && Number.isFinite(v) && inRange(v, range), range.default);
}

export function boolean(o: { default: boolean }): Field<boolean>;
export function boolean(o?: object): Field<boolean | undefined>;
export function boolean(o: { default?: boolean } = {}): Field<boolean | undefined> {
  return field('a boolean', (v) => typeof v === 'boolean', o.default);
}

/** A string; `nonEmpty` also refuses `''` and whitespace only. */
export function string(o: { default: Default<string>; nonEmpty?: boolean }): Field<string>;
export function string(o?: { nonEmpty?: boolean }): Field<string | undefined>;
export function string(o: { default?: Default<string>; nonEmpty?: boolean } = {}): Field<string | undefined> {
  const expected = o.nonEmpty ? 'a non-empty string' : 'a string';
  return field(expected, (v) => typeof v === 'string' && (!o.nonEmpty || v.trim() !== ''), o.default);
}

/** One of a fixed list of strings (usually a const array of `src/vocabulary.ts`). */
export function oneOf<const V extends string>(values: readonly V[], o: { default: Default<V> }): Field<V>;
export function oneOf<const V extends string>(values: readonly V[], o?: object): Field<V | undefined>;
export function oneOf<const V extends string>(values: readonly V[], o: { default?: Default<V> } = {}): Field<V | undefined> {
  return field(values.map((v) => JSON.stringify(v)).join(' or '), (v) => typeof v === 'string' && (values as readonly string[]).includes(v), o.default);
}

/** An array of non-empty strings, frozen, each passed through `map` (e.g. normalisation). */
export function stringArray(o: { default: readonly string[]; map?: (s: string) => string }): Field<string[]> {
  const expected = 'an array of non-empty strings';
  return {
    expected,
    resolve(value, path) {
      const given = value === undefined ? o.default : value;
      if (!Array.isArray(given) || given.some((s) => typeof s !== 'string' || s.trim() === '')) throw invalid(path, expected, value);
      // Frozen at run time; typed mutable to match the public option types it fills in.
      return Object.freeze((given as string[]).map(o.map ?? ((s) => s))) as string[];
    },
  };
}

/** `false` (turned off) or what `inner` accepts. */
export function falseOr<T>(inner: Field<T>): Field<false | T> {
  const expected = `false or ${inner.expected}`;
  return {
    expected,
    resolve(value, path) {
      if (value === false) return false;
      try {
        return inner.resolve(value, path);
      } catch (err) {
        // A wrong value for the option itself (not one of its fields) names both alternatives.
        if (err instanceof LabelwiseOptionsError && err.option === path && !err.message.startsWith('unknown')) throw invalid(path, expected, value);
        throw err;
      }
    },
  };
}

/** One field per key of a fixed list, e.g. a TTL per tier: `{ public: n, developer: n, … }`. */
export function perKey<const K extends string, T>(keys: readonly K[], make: (key: K) => Field<T>): Record<K, Field<T>> {
  return Object.fromEntries(keys.map((k) => [k, make(k)])) as Record<K, Field<T>>;
}

/** The field must be given. */
export function required<T>(inner: Field<T | undefined>): Field<T> {
  return {
    expected: inner.expected,
    resolve(value, path) {
      if (value === undefined) throw new LabelwiseOptionsError(path, `${optionName(path)} is required (${inner.expected})`);
      return inner.resolve(value, path) as T;
    },
  };
}

/**
 * A field checked by hand (objects the caller owns, like an embedder or a limiter factory,
 * or values with their own parser, like amounts of money). `check` returns the resolved value
 * or `undefined` when the value is wrong.
 */
export function custom<T>(expected: string, check: (value: unknown, path: string) => T | undefined, o: { default: Default<T> }): Field<T>;
export function custom<T>(expected: string, check: (value: unknown, path: string) => T | undefined, o?: object): Field<T | undefined>;
export function custom<T>(expected: string, check: (value: unknown, path: string) => T | undefined, o: { default?: Default<T> } = {}): Field<T | undefined> {
  return {
    expected,
    resolve(value, path) {
      if (value === undefined) return o.default === undefined ? undefined : fill(o.default);
      const out = check(value, path);
      if (out === undefined) throw invalid(path, expected, value);
      return out;
    },
  };
}
