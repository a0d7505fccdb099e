import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses one command's flags strictly; an unknown flag prints the command's usage and
 * yields `undefined` (the caller exits 2).
 */
export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommand(argv: string[], options: Options, usage: string): ParsedCommand | undefined {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(`${usage}\n`);
      return undefined;
    }
    return parsed as ParsedCommand;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    return undefined;
  }
}
