import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLASSIFIER_NAME, CLASSIFIER_REF, LANES, PRICE_KINDS, PRIORITIES, SCOPES, TIERS, USAGE_GROUPS } from '../src/vocabulary.js';

const SRC = join(import.meta.dirname, '..', 'src');

function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => !file.endsWith(join('src', 'vocabulary.ts')))
    .map((file) => ({ file: file.slice(SRC.length + 1), text: readFileSync(file, 'utf8') }));
}

/** `'a' | 'b' | 'c'` in any order, or `['a', 'b', 'c']`: a second definition of the list. */
function redefinitions(words: readonly string[]): string[] {
  const alt = words.map((w) => `'${w}'`).join('|');
  const union = new RegExp(`(?:${alt})(?:\\s*\\|\\s*(?:${alt})){${words.length - 1}}`);
  const array = new RegExp(`\\[\\s*(?:${alt})(?:\\s*,\\s*(?:${alt})){${words.length - 1}}\\s*\\]`);
  return sources(SRC)
    .filter(({ text }) => union.test(text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')) || array.test(text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
    .map(({ file }) => file);
}

describe('the vocabulary', () => {
  it.each([
    ['tiers', TIERS],
    ['scopes', SCOPES],
    ['priorities', PRIORITIES],
    ['lanes', LANES],
    ['price kinds', PRICE_KINDS],
    ['usage groups', USAGE_GROUPS],
  ])('%s are defined once, in src/vocabulary.ts', (_name, words) => {
    expect(redefinitions(words)).toEqual([]);
  });

  it('the classifier name pattern is written once', () => {
    const copies = sources(SRC).filter(({ text }) => text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '').includes('[a-z0-9][a-z0-9_-]{0,63}'));
    expect(copies.map((c) => c.file)).toEqual([]);
  });

  it('names and references follow spec §6', () => {
    expect(CLASSIFIER_REF.source.startsWith(`^(${CLASSIFIER_NAME.source.slice(1, -1)})`)).toBe(true);
    expect(['support', 'a', 'billing-v2_x', 'x'.repeat(64)].every((n) => CLASSIFIER_NAME.test(n))).toBe(true);
    expect(['', 'Support', '-a', 'x'.repeat(65), 'a@v1', 'a b'].some((n) => CLASSIFIER_NAME.test(n))).toBe(false);
    expect(CLASSIFIER_REF.exec('support@v12')?.slice(1)).toEqual(['support', '12']);
    expect(CLASSIFIER_REF.exec('support')?.slice(1)).toEqual(['support', undefined]);
    expect(['support@v0', 'support@v', 'support@2', 'support@v01'].some((r) => CLASSIFIER_REF.test(r))).toBe(false);
  });

  it('is frozen', () => {
    for (const list of [TIERS, SCOPES, PRIORITIES, LANES, PRICE_KINDS, USAGE_GROUPS]) expect(Object.isFrozen(list)).toBe(true);
  });
});
