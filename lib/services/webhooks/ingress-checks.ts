/**
 * The checks an alert passes before its body is read as an alert (docs/webhooks.md "The way in"): rate limits per
 * sender address and per webhook, the address allow-list, the content type and the body signature. Each refuses with
 * a typed error naming what is wrong; none of them reads the database.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import ipaddr from "ipaddr.js";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { AppError, ForbiddenError, RateLimitedError } from "@/lib/errors";
import { redis } from "@/lib/redis";
import { alertBodyKind } from "@/lib/trading/signals/body";

export { MAX_ALERT_BYTES } from "@/lib/trading/signals/body";

const limiters: { ip?: RateLimiterRedis; hook?: RateLimiterRedis } = {};

async function spend(limiter: RateLimiterRedis, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (e) {
    if (!(e instanceof RateLimiterRes)) throw e;
    const s = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
    throw new RateLimitedError(`Too many alerts ${what}: try again in ${s} s`, s);
  }
}

/** Spends one alert of the sender address's and of the webhook's per-minute budgets; 429 with Retry-After. */
export async function spendAlertBudget(webhookId: string, ip: string): Promise<void> {
  const e = env();
  limiters.ip ??= new RateLimiterRedis({
    storeClient: redis(),
    keyPrefix: "md:webhook:rate:ip",
    points: e.WEBHOOK_IP_RATE_PER_MIN,
    duration: 60,
  });
  limiters.hook ??= new RateLimiterRedis({
    storeClient: redis(),
    keyPrefix: "md:webhook:rate:hook",
    points: e.WEBHOOK_RATE_PER_MIN,
    duration: 60,
  });
  // Both budgets at once (one round trip of waiting, not two); the address's refusal is the one reported first.
  const [byIp, byHook] = await Promise.allSettled([
    spend(limiters.ip, ip, "from this address"),
    spend(limiters.hook, webhookId, "for this webhook"),
  ]);
  if (byIp.status === "rejected") throw byIp.reason;
  if (byHook.status === "rejected") throw byHook.reason;
}

/** An address as ipaddr.js sees it, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as the IPv4 address it carries. */
function plainAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(text)) return null;
  const a = ipaddr.parse(text);
  return a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

/** Whether `ip` is one of `allowed` (addresses or CIDR ranges; an empty list allows every sender). */
export function senderAllowed(allowed: readonly string[], ip: string): boolean {
  if (allowed.length === 0) return true;
  const addr = plainAddress(ip);
  if (!addr) return false;
  return allowed.some((entry) => {
    if (entry.includes("/")) {
      if (!ipaddr.isValidCIDR(entry)) return false;
      const [range, bits] = ipaddr.parseCIDR(entry);
      const base = range.kind() === "ipv6" && (range as ipaddr.IPv6).isIPv4MappedAddress() ? null : range;
      return base !== null && base.kind() === addr.kind() && addr.match([base, bits] as [typeof addr, number]);
    }
    const one = plainAddress(entry);
    return one !== null && one.kind() === addr.kind() && one.toNormalizedString() === addr.toNormalizedString();
  });
}

/** 403 unless the sender may post; with no trusted proxy the address is unknown and the reason says so. */
export function assertSenderAllowed(allowed: readonly string[], ip: string): void {
  if (senderAllowed(allowed, ip)) return;
  if (ip === "unknown")
    throw new ForbiddenError(
      "This webhook only accepts listed sender addresses, and the sender's address is unknown: set TRUSTED_PROXY_HOPS to the number of proxies in front of MirrorDesk",
    );
  throw new ForbiddenError(`Sender address ${ip} is not on this webhook's allow-list`);
}

/** `json` or `text` from the Content-Type (a charset is fine); 415 for anything else, or none. */
export function alertKind(contentType: string | null): "json" | "text" {
  const kind = alertBodyKind(contentType);
  if (!kind) throw new AlertMediaTypeError();
  return kind;
}

export class AlertMediaTypeError extends AppError {
  constructor() {
    super("UNSUPPORTED_MEDIA_TYPE", 415, "Send the alert as application/json or text/plain");
  }
}

/** 401 unless `header` is `sha256=<hex HMAC-SHA256(secret, body)>` (compared in constant time). */
export function assertSignature(secret: string, body: Uint8Array, header: string | null): void {
  const unauthorized = (why: string) => new AppError("UNAUTHENTICATED", 401, why);
  if (!header) throw unauthorized("This webhook requires a signed body: the signature header is missing");
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) throw unauthorized("The signature header must be sha256=<64 hex digits>");
  const want = createHmac("sha256", secret).update(body).digest();
  if (!timingSafeEqual(want, Buffer.from(m[1], "hex"))) throw unauthorized("The body signature does not match");
}
