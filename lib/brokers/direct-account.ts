/**
 * What every direct broker's account form shares (docs/direct-brokers.md): the API root, blank meaning the broker's
 * own, and the wording of connection failures, where only the broker's name and its session note differ.
 */
import { z } from "zod";
import { commonFailure, type BrokerWording } from "@/lib/brokers/connection";

/**
 * The account's API root: blank or absent means the broker's real one (`root`); anything else must be an http(s) URL
 * (a simulator, in tests and the demo). Trailing slashes are dropped. No zod `.default()`: a PATCH schema made with
 * `.partial()` would still fill it in and move the account (account-schemas.ts); an optional input does not.
 */
export function brokerApiRoot(root: string) {
  return z
    .string()
    .trim()
    .max(500)
    .optional()
    .transform((u) => (u ?? "").replace(/\/+$/, "") || root)
    .pipe(z.url({ protocol: /^https?$/, error: "Must be an http:// or https:// URL" }));
}

/** A direct broker's failure wording. `sessionNote` says when its sessions end (shown with a refused session). */
export function directWording(broker: {
  name: string;
  sessionNote: string;
  authRejectedShort: string;
  unreachableHint?: string;
}): BrokerWording {
  const { name } = broker;
  return {
    describeFailure(reason, where, channel) {
      if (reason === "auth_rejected")
        return `${name} refused the session or the app's key: log in to ${name} again from the account page (${broker.sessionNote}).`;
      if (reason === "not_openalgo")
        return `${where} answered, but not as ${name}'s ${channel === "API" ? "API (check the URL, or leave it blank)" : "stream"}`;
      return commonFailure(reason, where);
    },
    authRejectedShort: broker.authRejectedShort,
    unreachableHint: broker.unreachableHint ?? `Check the API URL (blank means ${name}'s own).`,
  };
}
