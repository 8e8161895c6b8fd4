import ipaddr from "ipaddr.js";
import { z } from "zod";

/** TradingView's published sender addresses (docs/webhooks.md "On the strategy page"), offered as a one-click preset. */
export const TRADINGVIEW_SENDER_IPS = ["52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7"] as const;

export const MAX_ALLOWED_IPS = 20;

/**
 * One allow-list entry normalised (`10.0.0.0/8`, `2001:db8::/32`, `52.89.214.238`), or null when it is not an IPv4 or
 * IPv6 address or CIDR range. IPv4 must be written as four decimal parts: `ipaddr.js` would also read `0x7f.1`.
 */
export function normaliseIpEntry(raw: string): string | null {
  const s = raw.trim();
  if (s.includes("/")) {
    if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(s) && !ipaddr.IPv6.isValidCIDR(s)) return null;
    const [addr, bits] = ipaddr.parseCIDR(s);
    return `${addr.toString()}/${bits}`;
  }
  if (!ipaddr.IPv4.isValidFourPartDecimal(s) && !ipaddr.IPv6.isValid(s)) return null;
  return ipaddr.parse(s).toString();
}

const hhmm = z
  .string()
  .max(5)
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use HH:MM (IST, 24-hour), e.g. 09:20");

const ipEntry = z
  .string()
  .max(64, "Too long for an address or range")
  .transform((s, ctx) => {
    const n = normaliseIpEntry(s);
    if (n === null) {
      ctx.addIssue({ code: "custom", message: `"${s.slice(0, 64)}" is not an IPv4/IPv6 address or CIDR range` });
      return z.NEVER;
    }
    return n;
  });

/**
 * A change to a webhook's settings; every field optional, each bad one named in the 400. `signing: "generate"` makes
 * a new HMAC secret (answered once), `"remove"` stops requiring signatures. The entry window is checked against the
 * stored other end as well (service), so setting only one end cannot invert it.
 */
export const webhookSettingsSchema = z
  .object({
    mode: z.enum(["LONG", "SHORT", "BOTH"], "Choose LONG, SHORT or BOTH"),
    pyramiding: z.boolean(),
    maxEntries: z.number().int("Whole entries").min(1, "At least 1").max(20, "At most 20"),
    maxLagSeconds: z.number().int("Whole seconds").min(5, "At least 5 s").max(3600, "At most 3600 s"),
    dedupeSeconds: z.number().int("Whole seconds").min(1, "At least 1 s").max(3600, "At most 3600 s"),
    entryStart: hhmm.nullable(),
    entryEnd: hhmm.nullable(),
    allowedIps: z
      .array(ipEntry)
      .max(MAX_ALLOWED_IPS, `At most ${MAX_ALLOWED_IPS} addresses or ranges`)
      .transform((l) => [...new Set(l)]),
    enabled: z.boolean(),
    signing: z.enum(["generate", "remove"], 'Choose "generate" or "remove"'),
  })
  .partial()
  .strict();

export type WebhookSettingsInput = z.infer<typeof webhookSettingsSchema>;

/** The entry window after a change: both ends or neither, start before end ("HH:MM" compares as text). */
export function entryWindowError(start: string | null, end: string | null): Record<string, string[]> | null {
  if (start === null && end === null) return null;
  if (start === null) return { entryStart: ["Set both ends of the entry window, or neither"] };
  if (end === null) return { entryEnd: ["Set both ends of the entry window, or neither"] };
  if (start >= end) return { entryEnd: ["Must be later than the start"] };
  return null;
}
