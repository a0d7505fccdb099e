#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { toErrorBody } from '../errors.js';

const USAGE = `labelwise — offline text classification

Usage:
  labelwise classify "text" --labels a,b,c [--tag] [--threshold 0.5]
                            [--descriptions file.json] [--examples file.json] [--text-type T] [--fast]
  labelwise classify --batch --labels a,b,c [--tag] …   < in.ndjson > out.ndjson
  labelwise batch run in.ndjson --labels a,b,c -o out.ndjson [--mode multi] [--threshold 0.3]
                  [--classifier NAME] [--descriptions F] [--examples F] [--data DIR]
  labelwise batch list|status JOB_ID|results JOB_ID [-o F]|cancel JOB_ID|delete JOB_ID [--data DIR]
  labelwise serve [--port 8080] [--host 127.0.0.1] [--data DIR] [--public] [--cache-dir DIR]
                  [--shutdown-timeout 30000]
  labelwise keys create --data DIR [--name N] [--scopes a,b] [--tier T] [--json]
  labelwise keys list --data DIR [--json]
  labelwise keys revoke KEY_ID --data DIR
  labelwise classifiers list --data DIR
  labelwise classifiers get NAME[@vN] --data DIR
  labelwise balance show --data DIR [--account A]
  labelwise balance credit --data DIR --usd N [--account A]
  labelwise models list [--cache-dir DIR]
  labelwise models pull NAME [--cache-dir DIR]
  labelwise models import NAME DIR [--cache-dir DIR]
  labelwise --version

Run "labelwise <command> --help" for a command's options.`;

/**
 * Each command's module is imported only when that command runs: `keys list` opens SQLite and
 * never loads the model, OCR, PDF and DOCX stack that `classify` and `serve` need.
 */
const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  classify: async (argv) => (await import('./classify.js')).classifyCommand(argv),
  batch: async (argv) => (await import('./jobs/command.js')).batchCommand(argv),
  serve: async (argv) => (await import('./serve.js')).serveCommand(argv),
  keys: async (argv) => (await import('./admin.js')).adminCommand('keys', argv),
  classifiers: async (argv) => (await import('./admin.js')).adminCommand('classifiers', argv),
  balance: async (argv) => (await import('./admin.js')).adminCommand('balance', argv),
  models: async (argv) => (await import('./models.js')).modelsCommand(argv),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  // Own properties only: "toString" or "__proto__" is an unknown command, not Object.prototype's.
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  return run(rest);
}

/** The installed package's version: dist/cli/main.js sits two levels below package.json. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Errors print as the same JSON body the HTTP API uses; exit 2 for caller mistakes, 1 otherwise.
    const body = toErrorBody(err);
    process.stderr.write(`${JSON.stringify(body)}\n`);
    process.exitCode = body.code === 'INTERNAL_ERROR' ? 1 : 2;
  },
);
