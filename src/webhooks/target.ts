import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where a hook may send: https anywhere public, http to loopback only; private-network addresses
 * (RFC 1918, RFC 4193, link-local, CGNAT, unspecified), over https or http, only when the operator
 * allows them. Checked on the URL when a hook is written (literal addresses, `localhost`) and on
 * every address a host name resolves to when delivering, so a public name pointing inside is
 * refused too.
 */
export interface TargetPolicy {
  allowPrivateNetworks: boolean;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

// https://www.iana.org/assignments/iana-ipv4-special-registry and iana-ipv6-special-registry
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

const family = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');
/** `::ffff:10.0.0.1` is 10.0.0.1. */
const unmapped = (address: string): string => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;

export const isLoopback = (address: string): boolean => LOOPBACK.check(unmapped(address), family(unmapped(address)));
const isPrivate = (address: string): boolean => PRIVATE.check(unmapped(address), family(unmapped(address)));

const HTTP_ONLY_INSIDE = 'http is allowed to loopback addresses only (and to private-network ones with HUB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true): use https';

/** Why `address` may not be sent to over `protocol`, or undefined when it may. */
export function addressRefusal(address: string, protocol: string, policy: TargetPolicy): string | undefined {
  if (isLoopback(address)) return undefined;
  if (isPrivate(address)) {
    return policy.allowPrivateNetworks
      ? undefined
      : `${address} is a private-network address, which the hub does not send to unless HUB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true`;
  }
  return protocol === 'http:' ? `${HTTP_ONLY_INSIDE} (${address} is public)` : undefined;
}

/** Why a hook's URL is refused (the text of a 400), or undefined when it is acceptable. */
export function urlRefusal(text: string, policy: TargetPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `the scheme must be https (or http to loopback), not ${url.protocol.slice(0, -1)}`;
  if (url.username || url.password) return 'credentials in the URL are not allowed: the hub signs each request instead';
  if (url.hash) return 'a fragment (#…) is not sent: leave it out';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) return addressRefusal(host, url.protocol, policy);
  if (host === 'localhost' || host.endsWith('.localhost')) return undefined; // RFC 6761: loopback
  // A name's addresses are checked when delivering; without private networks, http cannot reach any allowed.
  if (url.protocol === 'http:' && !policy.allowPrivateNetworks) return `${HTTP_ONLY_INSIDE} (${host} is not loopback)`;
  return undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http(s).request that refuses addresses the policy does not allow (after resolving). */
export function guardedLookup(protocol: string, policy: TargetPolicy) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refusal = addresses.map((entry) => addressRefusal(entry.address, protocol, policy)).find((reason) => reason !== undefined);
      if (refusal) return callback(Object.assign(new Error(`Refused to connect to ${hostname}: ${refusal}`), { code: 'EHOOKTARGET' }), []);
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
