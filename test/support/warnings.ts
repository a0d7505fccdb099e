/**
 * Captures process warnings a test triggers on purpose (a refused commit, a locked database),
 * so they are asserted instead of printed; warnings of other codes still reach the console.
 */
export interface CapturedWarnings {
  /** Captured warnings in order: code and message. */
  readonly list: { code: string; message: string }[];
  /** Messages of one code. */
  messages(code: string): string[];
  /** Puts `process.emitWarning` back. */
  restore(): void;
}

export function captureWarnings(...codes: string[]): CapturedWarnings {
  const list: { code: string; message: string }[] = [];
  const original = process.emitWarning;
  const capture = (warning: string | Error, options?: unknown, ...rest: unknown[]) => {
    const code = typeof options === 'object' && options !== null && 'code' in options ? String(options.code) : undefined;
    if (code !== undefined && codes.includes(code)) list.push({ code, message: typeof warning === 'string' ? warning : warning.message });
    else Reflect.apply(original, process, [warning, options, ...rest]);
  };
  process.emitWarning = capture as typeof process.emitWarning;
  return {
    list,
    messages: (code) => list.filter((w) => w.code === code).map((w) => w.message),
    restore: () => {
      process.emitWarning = original;
    },
  };
}
