/**
 * What the copy-group routes accept (docs/copy-trading.md "The group and its children"), each bad field named in the
 * 400. Checks that need the database (accounts, cycles, the stored other end of the window) are the service's.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { isHhMm } from "@/lib/trading/signals/window";

export const COPY_EXCHANGES = ["NSE", "BSE", "NFO", "BFO", "CDS", "MCX"] as const;
export const COPY_PRODUCTS = ["MIS", "NRML", "CNC"] as const;
export const MAX_COPY_SYMBOLS = 50;
export const MAX_COPY_CHILDREN = 100;

/** "0.5", 0.5, "3.0" → "0.5", "0.5", "3": a decimal > 0 and ≤ 100 with at most 4 places, as canonical text. */
const multiplier = z.union([z.string(), z.number()], "Enter a number such as 0.5, 1 or 3").transform((v, ctx) => {
  const text = String(v).trim();
  if (!/^\d{1,3}(\.\d+)?$/.test(text)) {
    ctx.addIssue({ code: "custom", message: "Enter a number such as 0.5, 1 or 3" });
    return z.NEVER;
  }
  if (/\.\d{5,}$/.test(text)) {
    ctx.addIssue({ code: "custom", message: "At most 4 decimal places" });
    return z.NEVER;
  }
  const n = Number(text);
  if (n <= 0 || n > 100) {
    ctx.addIssue({ code: "custom", message: "Must be more than 0 and at most 100" });
    return z.NEVER;
  }
  return new Decimal(text).toString();
});

const lotsCap = z.number().int("A whole number of lots").min(1, "At least 1 lot").max(100_000).nullable();

/** How one child follows the master (the PUT body of a child; one element of a create's `children`). */
export const copyChildSettingsSchema = z
  .object({
    multiplier,
    rounding: z.enum(["DOWN", "NEAREST", "UP"], "Choose DOWN, NEAREST or UP").default("DOWN"),
    minOneLot: z.boolean().default(false),
    maxLotsPerOrder: lotsCap.default(null),
    maxOpenLots: lotsCap.default(null),
    reverse: z.boolean().default(false),
  })
  .strict();
export type CopyChildSettings = z.infer<typeof copyChildSettingsSchema>;

const hhmm = z.string().max(5).refine(isHhMm, "Use HH:MM (IST, 24-hour), e.g. 09:20").nullable();

/** Underlyings or exact symbols: trimmed, upper-case, each once. */
const symbols = z
  .array(
    z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9&_-]{1,50}$/, "Letters, digits, & _ or - (e.g. NIFTY, NIFTY08DEC2624500CE)"),
  )
  .max(MAX_COPY_SYMBOLS, `At most ${MAX_COPY_SYMBOLS} symbols`)
  .transform((l) => [...new Set(l)]);

const groupFields = {
  name: z.string().trim().min(1, "Enter a name").max(80),
  exchanges: z
    .array(z.enum(COPY_EXCHANGES, `One of ${COPY_EXCHANGES.join(", ")}`))
    .min(1, "Choose at least one exchange")
    .transform((l) => [...new Set(l)]),
  products: z.array(z.enum(COPY_PRODUCTS, `One of ${COPY_PRODUCTS.join(", ")}`)).transform((l) => [...new Set(l)]),
  allowSymbols: symbols,
  denySymbols: symbols,
  windowStart: hhmm,
  windowEnd: hhmm,
};

const modeSchema = z.enum(["FILLS", "ORDERS"], "Choose FILLS or ORDERS");

export const copyGroupCreateSchema = z
  .object({
    ...groupFields,
    masterAccountId: z.uuid("Not an account id"),
    mode: modeSchema.default("FILLS"),
    exchanges: groupFields.exchanges.default(["NFO", "BFO"]),
    products: groupFields.products.default([]),
    allowSymbols: groupFields.allowSymbols.default([]),
    denySymbols: groupFields.denySymbols.default([]),
    windowStart: groupFields.windowStart.default(null),
    windowEnd: groupFields.windowEnd.default(null),
    children: z
      .array(copyChildSettingsSchema.extend({ accountId: z.uuid("Not an account id") }))
      .max(MAX_COPY_CHILDREN, `At most ${MAX_COPY_CHILDREN} children`)
      .default([]),
  })
  .strict()
  .superRefine((g, ctx) => {
    const seen = new Set<string>();
    g.children.forEach((c, i) => {
      if (seen.has(c.accountId))
        ctx.addIssue({ code: "custom", path: ["children", i, "accountId"], message: "This account is listed twice" });
      seen.add(c.accountId);
    });
  });
export type CopyGroupCreateInput = z.infer<typeof copyGroupCreateSchema>;

/**
 * A change to a group's settings; every field optional. The master and the mode cannot change (a different value is
 * a 409 from the service: make a new group); sending the same value is allowed, so a form may send them back.
 */
export const copyGroupUpdateSchema = z
  .object({ ...groupFields, masterAccountId: z.uuid("Not an account id"), mode: modeSchema })
  .partial()
  .strict();
export type CopyGroupUpdateInput = z.infer<typeof copyGroupUpdateSchema>;

/** Pausing a group or a child: the reason shown beside it (a person's words, or the default). */
export const copyPauseSchema = z
  .object({ reason: z.string().trim().min(1, "Enter a reason or leave it out").max(200).optional() })
  .strict();

export const copyGroupParams = z.object({ id: z.uuid("Not a copy group id") });
export const copyChildParams = z.object({
  id: z.uuid("Not a copy group id"),
  accountId: z.uuid("Not an account id"),
});

/** The window after a change: both ends or neither, start before end ("HH:MM" compares as text). */
export function copyWindowError(start: string | null, end: string | null): Record<string, string[]> | null {
  if (start === null && end === null) return null;
  if (start === null) return { windowStart: ["Set both ends of the window, or neither"] };
  if (end === null) return { windowEnd: ["Set both ends of the window, or neither"] };
  if (start >= end) return { windowEnd: ["Must be later than the start"] };
  return null;
}
