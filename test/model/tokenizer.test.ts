// Behaviour of the SentencePiece unigram tokenizer, against the real USE-lite vocabulary and a
// few tiny synthetic vocabularies that pin the Viterbi and unknown-token rules.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SPACE_MARKER, UnigramTokenizer } from '../../src/model/tokenizer/sentencepiece.js';
import { useLitePackageDir } from '../../src/model/use-lite/weights.js';

type Vocab = [string, number][];

let vocab: Vocab;
let tokenizer: UnigramTokenizer;

const pieces = (ids: number[]) => ids.map((id) => vocab[id][0]);

/** Six reserved control slots (never matched), then the given pieces from id 6 on. */
const synthetic = (entries: Vocab): Vocab => [
  ['<unk>', 0],
  ['<s>', 0],
  ['</s>', 0],
  ['r3', 0],
  ['r4', 0],
  ['r5', 0],
  ...entries,
];

beforeAll(async () => {
  vocab = JSON.parse(await readFile(join(useLitePackageDir(), 'vocab.json'), 'utf8')) as Vocab;
  tokenizer = new UnigramTokenizer(vocab);
});

describe('UnigramTokenizer normalization', () => {
  it('loads the real 8k vocabulary whose id 0 is the unknown piece', () => {
    expect(vocab.length).toBe(8000);
    expect(tokenizer.encode('hello world').length).toBeGreaterThan(0);
  });

  it('applies NFKC so the ﬁ ligature encodes like "fi"', () => {
    expect(tokenizer.normalize('ﬁne')).toBe(tokenizer.normalize('fine'));
    expect(tokenizer.encode('ﬁne')).toEqual(tokenizer.encode('fine'));
    expect(tokenizer.encode('deﬁnitely ﬁnished')).toEqual(tokenizer.encode('definitely finished'));
  });

  it('applies NFKC so fullwidth letters, digits and spaces encode like ASCII', () => {
    expect(tokenizer.encode('ＦＵＬＬ　ｗｉｄｔｈ １２３')).toEqual(tokenizer.encode('FULL width 123'));
    expect(tokenizer.encode('①')).toEqual(tokenizer.encode('1'));
  });

  it('collapses runs of spaces, tabs and newlines to single spaces', () => {
    const single = tokenizer.encode('hello world how are you');
    expect(tokenizer.encode('hello   world \t how\n\nare\r\n you')).toEqual(single);
    expect(tokenizer.encode('hello\u00A0world\u3000how are\tyou')).toEqual(single);
  });

  it('ignores leading and trailing whitespace', () => {
    expect(tokenizer.encode('  \t\n refund request \n\t ')).toEqual(tokenizer.encode('refund request'));
    expect(tokenizer.normalize('  hi  ')).toBe(`${SPACE_MARKER}hi`);
  });

  it('returns no ids for empty and whitespace-only text', () => {
    for (const text of ['', ' ', '   ', '\t', '\n\r\n', ' \u00A0\u3000 ']) {
      expect(tokenizer.normalize(text)).toBe('');
      expect(tokenizer.encode(text)).toEqual([]);
    }
  });
});

describe('UnigramTokenizer segmentation with the real vocabulary', () => {
  it('marks every word start with ▁ and its pieces spell the normalized text', () => {
    const text = 'Hello world, how are you doing today? Cancellation requested.';
    const ids = tokenizer.encode(text);
    expect(ids).not.toContain(0);
    const spelled = pieces(ids);
    expect(spelled.join('')).toBe(tokenizer.normalize(text));
    expect(spelled[0].startsWith(SPACE_MARKER)).toBe(true);
    // Exactly one piece per word carries the marker, and it is the word's first piece.
    expect(spelled.filter((p) => p.startsWith(SPACE_MARKER))).toHaveLength(text.split(' ').length);
    expect(spelled.filter((p) => p.includes(SPACE_MARKER) && !p.startsWith(SPACE_MARKER))).toEqual([]);
    expect(pieces(tokenizer.encode('the'))).toEqual([`${SPACE_MARKER}the`]);
  });

  it('maps characters no piece covers to the unknown id 0', () => {
    expect(tokenizer.encode('😀')).toEqual([vocab.findIndex(([p]) => p === SPACE_MARKER), 0]);
    const ids = tokenizer.encode('a😀b');
    expect(ids).toContain(0);
    expect(pieces(ids.filter((id) => id !== 0)).join('')).toBe(`${SPACE_MARKER}ab`);
  });

  it('merges consecutive unknown characters into one 0 but keeps separated ones apart', () => {
    const run = tokenizer.encode('a中文字😀b');
    expect(run.filter((id) => id === 0)).toHaveLength(1);
    expect(run.some((id, i) => id === 0 && run[i + 1] === 0)).toBe(false);
    const apart = tokenizer.encode('中 文');
    expect(apart.filter((id) => id === 0)).toHaveLength(2);
  });

  it('never matches reserved control pieces (ids below 6) against text', () => {
    for (const text of ['<s>', '</s>', 'extra_token_id_1', '<s> hello </s>']) {
      const ids = tokenizer.encode(text);
      expect(ids.filter((id) => id >= 1 && id < 6)).toEqual([]);
    }
  });

  it('is deterministic: the same text always gives the same ids, also from a second instance', () => {
    const text = 'Déjà vu: the Straße café ①②③ 東京 😀 — https://example.com/a?b=c';
    const first = tokenizer.encode(text);
    expect(tokenizer.encode(text)).toEqual(first);
    expect(new UnigramTokenizer(vocab).encode(text)).toEqual(first);
  });

  it('never throws on lone surrogates, control characters or a 100k-character string', { timeout: 60_000 }, () => {
    const inputs = [
      '\uD800',
      '\uDC00abc',
      'emoji cut in half \uD83D',
      '\uDE00\uD83D reversed pair',
      '\u0000\u0001\u0007\u001B[31mred\u007F\u0085',
      'zero\u200Bwidth\uFEFFjoiners\u200D',
      'word '.repeat(20_000),
      'x'.repeat(100_000),
      '\uD800'.repeat(100_000),
      Array.from({ length: 100_000 }, (_, i) => String.fromCharCode(i % 0xffff)).join(''),
    ];
    for (const text of inputs) {
      let ids: number[] = [];
      expect(() => (ids = tokenizer.encode(text))).not.toThrow();
      expect(ids.every((id) => Number.isInteger(id) && id >= 0 && id < vocab.length)).toBe(true);
    }
    expect(tokenizer.encode('word '.repeat(20_000)).length).toBeGreaterThanOrEqual(20_000);
  });
});

describe('UnigramTokenizer Viterbi on synthetic vocabularies', () => {
  it('picks the segmentation with the best total score, not the greedy longest match', () => {
    // Greedy longest match: ▁abc + d = -1 + -10 = -11. Best total: ▁ab + cd = -1.5 + -1.5 = -3.
    const vocabulary = synthetic([
      ['▁abc', -1],
      ['d', -10],
      ['▁ab', -1.5],
      ['cd', -1.5],
      ['▁', -2],
    ]);
    const tok = new UnigramTokenizer(vocabulary);
    expect(tok.encode('abcd')).toEqual([8, 9]);
  });

  it('picks the longer piece when that gives the better total score', () => {
    const vocabulary = synthetic([
      ['▁abc', -1],
      ['d', -0.5],
      ['▁ab', -1.5],
      ['cd', -1.5],
    ]);
    expect(new UnigramTokenizer(vocabulary).encode('abcd')).toEqual([6, 7]);
  });

  it('prefers many likely pieces over one unlikely piece when their sum is higher', () => {
    const vocabulary = synthetic([
      ['▁hello', -20],
      ['▁he', -2],
      ['llo', -2],
      ['▁', -1],
      ['h', -1],
      ['e', -1],
      ['l', -1],
      ['o', -1],
    ]);
    // ▁he + llo = -4 beats ▁hello (-20) and the six single characters (-6).
    expect(new UnigramTokenizer(vocabulary).encode('hello')).toEqual([7, 8]);
  });

  it('uses the configured unknown id and merges unknown runs in a synthetic vocabulary', () => {
    const vocabulary = synthetic([
      ['▁', -1],
      ['a', -1],
    ]);
    expect(new UnigramTokenizer(vocabulary).encode('a zzz a')).toEqual([6, 7, 6, 0, 6, 7]);
    expect(new UnigramTokenizer(vocabulary, { unkId: 3 }).encode('zz')).toEqual([6, 3]);
  });

  it('honours reservedCount: pieces below it are never matched', () => {
    const vocabulary: Vocab = [
      ['<unk>', 0],
      ['▁a', 0],
      ['▁', -1],
      ['a', -1],
    ];
    expect(new UnigramTokenizer(vocabulary, { reservedCount: 2 }).encode('a')).toEqual([2, 3]);
    expect(new UnigramTokenizer(vocabulary, { reservedCount: 1 }).encode('a')).toEqual([1]);
  });
});
