import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { parseCommand } from './args.js';
import { noteModelConversion } from './model-note.js';

const USAGE = `labelwise serve [--port 8080] [--host 127.0.0.1] [--data DIR] [--public] [--cache-dir DIR] [--shutdown-timeout 30000]

Starts the /v1 API on the embedded defaults. Data (keys, classifiers, usage, logs, balance)
lives in DIR/labelwise.db (default ./labelwise-data). The first start on an empty data dir
creates an admin key and prints it once. SIGINT/SIGTERM: stop accepting, finish in-flight
requests (connections still open after --shutdown-timeout ms are closed), flush the stores,
exit 0. Every classify/tag/batch answer's log row and charge is committed before the answer
is sent, so even a crash loses none.`;

export const SERVE_OPTIONS = {
  port: { type: 'string', default: '8080' },
  host: { type: 'string', default: '127.0.0.1' },
  data: { type: 'string', default: 'labelwise-data' },
  public: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
  'shutdown-timeout': { type: 'string', default: '30000' },
} as const;

export async function serveCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, SERVE_OPTIONS, USAGE);
  if (!parsed) return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
  const v = parsed.values as { port: string; host: string; data: string; public: boolean; 'cache-dir'?: string; 'shutdown-timeout': string };
  noteModelConversion();
  // Imported only now: `serve --help` and a flag mistake answer without loading the model stack.
  const [{ createEngine }, { createHandler }] = await Promise.all([import('../engine/create-engine.js'), import('../http/index.js')]);
  // Durable: a request is answered only once its usage row (and charge) is committed, so a
  // crash or SIGKILL never loses an answered request.
  const engine = await createEngine({ dataDir: resolve(v.data as string), durability: 'durable', ...(v['cache-dir'] ? { cacheDir: v['cache-dir'] } : {}) });
  let shuttingDown = false;
  const handler = createHandler(engine, { publicMode: v.public as boolean });
  const server = createServer((req, res) => {
    // Requests that arrive on kept-alive connections after shutdown began are told to retry.
    if (shuttingDown) res.setHeader('Connection', 'close');
    // Once shutdown began, a connection whose response just finished is idle: close it now
    // rather than waiting out the keep-alive timeout.
    res.once('finish', () => {
      if (shuttingDown) setImmediate(() => server.closeIdleConnections());
    });
    handler(req, res);
  });
  try {
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(Number(v.port), v.host, ok));
  } catch (err) {
    await engine.close();
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(`cannot listen on ${v.host}:${v.port}: ${code === 'EADDRINUSE' ? 'the port is in use' : (err as Error).message}\n`);
    return 1;
  }
  // Signal handlers go in before anything is printed: a supervisor that stops the server as
  // soon as it reads the listening line must get a clean shutdown, not the default SIGTERM death.
  const stopped = new Promise<number>((done) => {
    const shutdown = (signal: string) => {
      if (shuttingDown) return;
      shuttingDown = true;
      process.stderr.write(`${signal}: finishing in-flight requests…\n`);
      const force = setTimeout(() => server.closeAllConnections(), Number(v['shutdown-timeout'])).unref();
      server.close(() => {
        clearTimeout(force);
        // Flushes every recorded usage row and charge; a failure is reported, never swallowed.
        engine.close().then(
          () => {
            process.stderr.write('stopped cleanly\n');
            done(0);
          },
          (err: unknown) => {
            process.stderr.write(`shutdown failed: ${(err as Error)?.message ?? err}\n`);
            done(1);
          },
        );
      });
      server.closeIdleConnections();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  // Only once the port is ours: a key printed by a start that then fails to bind would never
  // be shown again (the next start finds a key and creates none).
  if ((await engine.keys.list()).keys.length === 0) {
    const admin = await engine.keys.create({ name: 'admin', tier: 'production' });
    // Shown exactly once: only its hash is stored.
    process.stdout.write(`Created admin key (shown once, store it now): ${admin.key}\n`);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : v.port;
  process.stdout.write(`labelwise listening on http://${v.host}:${port}/v1 (data: ${resolve(v.data as string)})\n`);

  return stopped;
}
