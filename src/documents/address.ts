/**
 * Which IP addresses a URL input may reach (spec §8): public unicast only, unless the host is
 * allow-listed. IPv4 embedded in IPv6 (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4
 * `2002::/16`, IPv4-compatible `::a.b.c.d`) is judged by the embedded IPv4 address.
 */
import { BlockList, isIP } from 'node:net';

/** Ranges a URL may not reach, with the name used in refusal messages. */
const V4_RANGES: ReadonlyArray<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const V6_RANGES: ReadonlyArray<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'private (unique local)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const lists = new Map<string, BlockList>();
for (const [net, prefix, name] of V4_RANGES) list(name).addSubnet(net, prefix, 'ipv4');
for (const [net, prefix, name] of V6_RANGES) list(name).addSubnet(net, prefix, 'ipv6');
function list(name: string): BlockList {
  let l = lists.get(name);
  if (!l) lists.set(name, (l = new BlockList()));
  return l;
}

/**
 * Why `address` may not be fetched (e.g. `'loopback'`), or `undefined` for a public address.
 * A string that is not an IP address is refused as `'invalid'`.
 */
export function blockedReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'invalid';
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) return blockedReason(v4);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [name, l] of lists) if (l.check(address, type)) return name;
  return undefined;
}

/** The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const words = expandIpv6(address);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && words[5] === 0xffff) return v4(words[6], words[7]); // ::ffff:a.b.c.d
  if (zero(0, 6) && (words[6] !== 0 || words[7] > 1)) return v4(words[6], words[7]); // ::a.b.c.d (deprecated)
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return v4(words[6], words[7]); // NAT64
  if (words[0] === 0x2002) return v4(words[1], words[2]); // 6to4
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (zone id dropped), or undefined. */
function expandIpv6(address: string): number[] | undefined {
  // Zone id and a dotted IPv4 tail are cut by position, not by an unanchored regex (a regex
  // such as /(\d+)\.(\d+)\.(\d+)\.(\d+)$/ backtracks quadratically over a long run of digits).
  let a = address.split('%', 1)[0].toLowerCase();
  const lastColon = a.lastIndexOf(':');
  const dotted = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a.slice(lastColon + 1));
  if (dotted) {
    const [b0, b1, b2, b3] = dotted.slice(1).map(Number);
    a = a.slice(0, lastColon + 1) + `${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = a.split('::');
  const parse = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  const words = a.includes('::') ? [...h, ...new Array(8 - h.length - t.length).fill(0), ...t] : h;
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}
