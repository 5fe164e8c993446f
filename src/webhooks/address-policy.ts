// SSRF guard: which addresses a webhook request may connect to. Judged on the address the host name
// resolved to, at connect time (a name that resolves to 127.0.0.1 is as private as the literal), so a
// subscription cannot reach the instance's own network unless the operator allowed it.
import { BlockList, isIP } from 'node:net';

/** WEBHOOK_PRIVATE_ADDRESSES: `deny` (default), `allow-loopback` (tests, the demo) or `allow`. */
export const PRIVATE_ADDRESS_POLICIES = ['deny', 'allow-loopback', 'allow'] as const;
export type PrivateAddressPolicy = (typeof PRIVATE_ADDRESS_POLICIES)[number];

function rangesOf(entries: readonly [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of entries) list.addSubnet(network, prefix, family);
  return list;
}

const LOOPBACK = rangesOf([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);

// RFC 1918, link-local (cloud metadata at 169.254.169.254), CGNAT, "this network", multicast and
// reserved, and their IPv6 counterparts (unique local, link-local, multicast, unspecified).
const PRIVATE = rangesOf([
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
]);

/** IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it carries. */
function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why the address is refused under the policy, or undefined when it may be connected to. */
export function addressRefusal(policy: PrivateAddressPolicy, rawAddress: string): string | undefined {
  if (policy === 'allow') return undefined;
  const { address, family } = normalise(rawAddress);
  if (LOOPBACK.check(address, family)) {
    return policy === 'allow-loopback'
      ? undefined
      : `${rawAddress} is a loopback address (WEBHOOK_PRIVATE_ADDRESSES=${policy})`;
  }
  if (PRIVATE.check(address, family)) {
    return `${rawAddress} is a private or reserved address (WEBHOOK_PRIVATE_ADDRESSES=${policy})`;
  }
  return undefined;
}
