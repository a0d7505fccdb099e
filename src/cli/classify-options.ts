/** Flags of `labelwise classify` (one-shot and `--batch`), shared by the files that read them. */
export const CLASSIFY_OPTIONS = {
  labels: { type: 'string' },
  tag: { type: 'boolean', default: false },
  threshold: { type: 'string' },
  descriptions: { type: 'string' },
  examples: { type: 'string' },
  'text-type': { type: 'string' },
  fast: { type: 'boolean', default: false },
  batch: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
} as const;

export type CliValues = {
  [K in keyof typeof CLASSIFY_OPTIONS]?: (typeof CLASSIFY_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};
