/** The word-boundary marker SentencePiece uses in place of spaces. */
export const SPACE_MARKER = '\u2581';

export interface UnigramOptions {
  /** Ids below this are control symbols (unk, <s>, </s> …) and never matched against text. @default 6 */
  reservedCount?: number;
  /** Id emitted for text no piece covers. @default 0 */
  unkId?: number;
}

/** Trie over code points: walking it stops as soon as no piece continues the prefix. */
interface TrieNode {
  next: Map<number, TrieNode>;
  id: number; // -1 when no piece ends here
  score: number;
}

const newNode = (): TrieNode => ({ next: new Map(), id: -1, score: 0 });

/**
 * SentencePiece unigram tokenizer over a `[piece, logProb][]` vocabulary: NFKC, control
 * characters dropped, whitespace
 * collapsed to single spaces (SentencePiece's default normalizer does the same), `▁` marks a
 * word start, and Viterbi picks the segmentation with the highest total log-probability.
 * Characters no piece covers become one unknown id per run (consecutive unknowns merge).
 */
export class UnigramTokenizer {
  readonly #root: TrieNode = newNode();
  readonly #unkId: number;
  readonly #unkScore: number;

  constructor(vocab: ReadonlyArray<readonly [string, number]>, options: UnigramOptions = {}) {
    const reserved = options.reservedCount ?? 6;
    this.#unkId = options.unkId ?? 0;
    let minScore = 0;
    for (let id = reserved; id < vocab.length; id++) {
      const [piece, score] = vocab[id];
      let node = this.#root;
      for (const ch of piece) {
        const code = ch.codePointAt(0) as number;
        let child = node.next.get(code);
        if (!child) node.next.set(code, (child = newNode()));
        node = child;
      }
      if (node.id !== -1) continue; // first occurrence wins, as in SentencePiece
      node.id = id;
      node.score = score;
      minScore = Math.min(minScore, score);
    }
    // SentencePiece penalises an unknown character 10 nats below the rarest piece.
    this.#unkScore = minScore - 10;
  }

  /** The normalized string the model sees: NFKC, collapsed whitespace, `▁` word markers. */
  normalize(text: string): string {
    // Control and zero-width characters carry no meaning for the model (SentencePiece's
    // normalizer drops them too); whitespace runs become one space.
    const collapsed = text
      .normalize('NFKC')
      .replace(/[\u200B-\u200D\uFEFF]|(?![\t\n\v\f\r])\p{Cc}/gu, '')
      .replace(/\s+/gu, ' ')
      .trim();
    return collapsed.length === 0 ? '' : SPACE_MARKER + collapsed.replaceAll(' ', SPACE_MARKER);
  }

  encode(text: string): number[] {
    const chars = Array.from(this.normalize(text), (ch) => ch.codePointAt(0) as number);
    const n = chars.length;
    if (n === 0) return [];
    const best = new Float64Array(n + 1).fill(-Infinity);
    const backId = new Int32Array(n + 1);
    const backLen = new Int32Array(n + 1);
    best[0] = 0;
    for (let start = 0; start < n; start++) {
      if (best[start] === -Infinity) continue;
      let node: TrieNode | undefined = this.#root;
      let matched = false;
      for (let len = 1; start + len <= n; len++) {
        node = node.next.get(chars[start + len - 1]);
        if (!node) break;
        if (node.id === -1) continue;
        if (len === 1) matched = true;
        this.#relax(best, backId, backLen, start, len, node.id, node.score);
      }
      if (!matched) this.#relax(best, backId, backLen, start, 1, this.#unkId, this.#unkScore);
    }
    const ids: number[] = [];
    for (let end = n; end > 0; end -= backLen[end]) ids.push(backId[end]);
    ids.reverse();
    return ids.filter((id, i) => !(id === this.#unkId && i > 0 && ids[i - 1] === this.#unkId));
  }

  #relax(best: Float64Array, backId: Int32Array, backLen: Int32Array, start: number, len: number, id: number, score: number): void {
    const total = best[start] + score;
    // Strictly greater keeps the first (shortest) candidate on ties, so encoding is deterministic.
    if (total > best[start + len]) {
      best[start + len] = total;
      backId[start + len] = id;
      backLen[start + len] = len;
    }
  }
}
