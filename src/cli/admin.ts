import { resolve } from 'node:path';
import { missingArgument } from '../errors.js';
import { openStores, type Scope, type Tier } from '../store/index.js';
import { microsToUsd, parseUsdMicros } from '../store/pricing.js';
import { parseCommand } from './args.js';

const USAGE = `labelwise keys create --data DIR [--name N] [--scopes classify,batch,manage] [--tier developer] [--account A] [--json]
labelwise keys list --data DIR [--account A] [--json]
labelwise keys revoke KEY_ID --data DIR [--account A]
labelwise classifiers list --data DIR [--account A]
labelwise classifiers get NAME[@vN] --data DIR [--account A]
labelwise balance show --data DIR [--account A]
labelwise balance credit --data DIR --usd N [--account A]

Management commands open the data dir's SQLite file directly (no model is loaded).`;

export const ADMIN_OPTIONS = {
  data: { type: 'string' },
  account: { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'string' },
  tier: { type: 'string' },
  usd: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

type Group = 'keys' | 'classifiers' | 'balance';

export async function adminCommand(group: Group, argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, ADMIN_OPTIONS, USAGE);
  if (!parsed) return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
  const v = parsed.values as { data?: string; account?: string; name?: string; scopes?: string; tier?: string; usd?: string; json?: boolean };
  const [action, target] = parsed.positionals;
  if (!v.data) throw missingArgument('data', '--data DIR is required');
  const stores = await openStores({ dataDir: resolve(v.data) });
  const account = v.account ? { account: v.account } : {};
  const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  try {
    switch (`${group} ${action ?? ''}`.trim()) {
      case 'keys create': {
        const key = await stores.keys.create({ name: v.name, scopes: v.scopes?.split(',') as Scope[] | undefined, tier: v.tier as Tier | undefined }, account);
        if (v.json) out(key);
        else process.stdout.write(`${key.key}\n(id ${key.id}; the secret is shown only now)\n`);
        return 0;
      }
      case 'keys list': {
        const { keys } = await stores.keys.list(account);
        if (v.json) out({ keys });
        else for (const k of keys) process.stdout.write(`${k.id}  ${k.prefix}…  ${k.name ?? ''}  ${k.scopes.join(',')}  ${k.tier}${k.revoked ? '  (revoked)' : ''}\n`);
        return 0;
      }
      case 'keys revoke':
        out(await stores.keys.revoke(required(target, 'KEY_ID', usageOf('keys revoke')), account));
        return 0;
      case 'classifiers list':
        out(await stores.classifiers.list(account));
        return 0;
      case 'classifiers get':
        out(await stores.classifiers.get(required(target, 'NAME', usageOf('classifiers get')), account));
        return 0;
      case 'balance show':
        out(await stores.billing.balance(v.account));
        return 0;
      case 'balance credit':
        // Parsed from the decimal string itself: Number('9007199254.740993') would already have lost a digit.
        out(await stores.billing.credit(v.account ?? 'default', microsToUsd(parseUsdMicros(required(v.usd, '--usd', usageOf('balance credit')), 'usd', { positive: true }))));
        return 0;
      default:
        process.stderr.write(`unknown ${group} action "${action ?? ''}"\n\n${USAGE}\n`);
        return 2;
    }
  } finally {
    await stores.close();
  }
}

/** The usage line of one action, quoted when its argument is missing. */
function usageOf(command: string): string {
  return USAGE.split('\n').find((line) => line.startsWith(`labelwise ${command} `)) ?? USAGE;
}

function required(value: string | undefined, name: string, usage: string): string {
  if (!value) throw missingArgument(name.replace(/^--/, '').toLowerCase(), `${name} is required; usage: ${usage}`);
  return value;
}
