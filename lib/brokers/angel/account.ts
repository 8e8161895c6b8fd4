/**
 * What linking an Angel One account asks for (client id, SmartAPI app key and secret, optionally the PIN and TOTP seed
 * and another API host) and how its connection failures are explained to the user. The form's inputs are in ./form.ts.
 */
import { z } from "zod";
import { normaliseTotpSeed } from "@/lib/crypto/totp";
import type { BrokerWording } from "@/lib/brokers/connection";
import { brokerApiRoot, directWording } from "@/lib/brokers/direct-account";
import { ANGEL_API_ROOT } from "./wire";

/** Blank ("") means none or, editing, keep the stored one. */
const blankable = z
  .string()
  .optional()
  .transform((v) => (v ?? "").trim());

/**
 * The trader's 4-digit Angel One PIN and TOTP seed, optional: with both stored, MirrorDesk logs the account in each
 * morning itself (docs/brokers/angel.md "Password login"). The seed is the base32 text Angel shows when TOTP is
 * enabled; it is stored as normalised (upper case, no spaces).
 */
const pin = blankable.pipe(z.string().regex(/^(\d{4})?$/, "The Angel One PIN is 4 digits"));
const totpSecret = blankable.transform((v, ctx) => {
  if (v === "") return "";
  const seed = normaliseTotpSeed(v);
  if (seed === undefined) {
    ctx.addIssue({
      code: "custom",
      message: "The TOTP secret is the base32 text Angel One shows when TOTP is enabled (letters A-Z and digits 2-7)",
    });
    return z.NEVER;
  }
  return seed;
});

export const angelCredentials = z.object({
  hostUrl: brokerApiRoot(ANGEL_API_ROOT),
  apiKey: z.string().trim().min(4, "The SmartAPI app's API key").max(256),
  apiSecret: z.string().trim().min(4, "The SmartAPI app's secret key").max(256),
  clientId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{3,20}$/, "Your Angel One client ID (letters and digits)")
    .transform((s) => s.toUpperCase()),
  pin,
  totpSecret,
});

export const angelWording: BrokerWording = directWording({
  name: "Angel One",
  sessionNote: "sessions end at midnight IST",
  authRejectedShort: "Refused by Angel One (wrong API key or expired session)",
  unreachableHint: "Check the API host URL, or leave it blank for Angel One's own.",
});
