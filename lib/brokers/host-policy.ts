/**
 * Which network addresses a broker URL may lead to. The decision is made on the addresses DNS returns (a public
 * name can point at 127.0.0.1 or a cloud metadata address), and the connection is then pinned to exactly those
 * addresses so a second, different DNS answer cannot slip past the check.
 */
import { lookup as dnsLookupCallback } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

export type HostCheck =
  | { ok: true; addresses: { address: string; family: number }[]; lookup: LookupFunction }
  | { ok: false; problem: "unresolvable" | "not_public" };

/** True for an ordinary public unicast address; loopback, private, link-local, CGNAT, multicast etc. are not. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // `process` turns an IPv4-mapped IPv6 address (::ffff:10.0.0.1) into the IPv4 address it carries.
  return ipaddr.process(address).range() === "unicast";
}

/**
 * Resolves the URL's host and checks every address against the policy (`allowPrivate` = anything goes). On success,
 * `lookup` answers with the checked addresses only, for `http.request` / `ws` options.
 */
export async function checkHost(url: string, allowPrivate: boolean): Promise<HostCheck> {
  // WHATWG URLs keep IPv6 literals in brackets; the resolver wants them bare.
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: { address: string; family: number }[];
  try {
    addresses = await dnsLookup(host, { all: true, verbatim: true });
  } catch {
    return { ok: false, problem: "unresolvable" };
  }
  if (addresses.length === 0) return { ok: false, problem: "unresolvable" };
  if (!allowPrivate && !addresses.every((a) => isPublicAddress(a.address))) return { ok: false, problem: "not_public" };
  return { ok: true, addresses, lookup: pinnedLookup(addresses) };
}

function pinnedLookup(addresses: { address: string; family: number }[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted =
      options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    if (wanted.length === 0) {
      const err = Object.assign(new Error("no address of the requested family"), { code: "ENOTFOUND" });
      return callback(err, "", 0);
    }
    // Node asks for every address (`all: true`) when it races IPv4/IPv6 (autoSelectFamily), else for one.
    if (options.all) return (callback as unknown as (e: null, a: typeof wanted) => void)(null, wanted);
    callback(null, wanted[0].address, wanted[0].family);
  };
}

/**
 * A resolver for every broker connection while private hosts are not allowed: it answers only when every address of
 * the name is public, so a host that passed the check at save time and later re-points at an internal address fails
 * to connect ("unreachable") instead of reaching it.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookupCallback(hostname, { all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address))) {
      const refused = Object.assign(
        new Error(`${hostname} resolves to a non-public address (BROKER_ALLOW_PRIVATE_HOSTS=false)`),
        { code: "EPRIVATEHOST" },
      );
      return callback(refused, "", 0);
    }
    pinnedLookup(addresses)(hostname, options, callback);
  });
};

/**
 * False when the URL names a non-public IP address literally. Node does not call `lookup` for IP literals, so
 * {@link publicOnlyLookup} cannot refuse them: callers check this before connecting.
 */
export function literalAllowed(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  return !ipaddr.isValid(host) || isPublicAddress(host);
}
