/**
 * Why a broker refused an order, from the text it gave (brokers return free text; OpenAlgo passes it through), so
 * alerts name the real cause and the advice that fits it instead of one generic "account down". Pure.
 */

export type RejectionCause = "freeze" | "margin" | "rate_limit" | "auth" | "network" | "market_closed" | "other";

/**
 * An HTTP status named as one ("HTTP 429", "status: 401", "error 502"), never a bare number: rejection texts carry
 * rupee amounts and tokens ("available margin 429.31", "token 40123") that are not statuses.
 */
const status = (codes: string) => `(?:http|status|error|code)\\W{0,3}(?:${codes})\\b`;

/** Checked in this order: a message naming a freeze limit is a freeze rejection even if it also mentions margin. */
const PATTERNS: readonly [RejectionCause, RegExp][] = [
  ["freeze", /freeze|qty\s*limit|quantity .*exceeds .*(limit|maximum)|exceeds .*max(imum)? (order )?quantity/i],
  ["rate_limit", new RegExp(`rate.?limit|too many requests|${status("429")}|throttl`, "i")],
  [
    "auth",
    new RegExp(
      `api.?key|unauthori[sz]ed|forbidden|${status("401|403")}|session (has )?expired|invalid session|` +
        `(?:access|session|auth|invalid|expired)[ _-]?token|token (is |has )?(invalid|expired)|not logged in|login required`,
      "i",
    ),
  ],
  ["margin", /margin|insufficient (funds|balance)|\bRMS\b|fund limit|shortfall|shortage/i],
  ["market_closed", /market (is )?closed|outside (market|trading) hours|after square.?off time|not a trading day/i],
  [
    "network",
    new RegExp(
      `timed? ?out|ECONN|ENOTFOUND|EAI_AGAIN|socket|network|unreachable|no answer|${status("502|503|504")}|` +
        `bad gateway|unavailable|fetch failed|connection`,
      "i",
    ),
  ],
];

export function classifyRejection(text: string | null | undefined): RejectionCause {
  const t = (text ?? "").slice(0, 2_000);
  for (const [cause, re] of PATTERNS) if (re.test(t)) return cause;
  return "other";
}

/** A short title and what happens or what to do, per cause (alerts and the run view). */
export const REJECTION_CAUSES: Readonly<Record<RejectionCause, { title: string; advice: string }>> = {
  freeze: {
    title: "order above the freeze limit",
    advice: "MirrorDesk slices again with the current freeze quantity and retries on its own",
  },
  margin: {
    title: "not enough margin",
    advice: "add funds or reduce positions at the broker; the exit keeps retrying",
  },
  rate_limit: { title: "broker rate limit", advice: "orders are paced and retried on their own" },
  auth: {
    title: "broker refused the key or session",
    advice: "log in to the broker again or update the API key on the account",
  },
  network: { title: "broker unreachable", advice: "check the OpenAlgo server and its network; retries go on" },
  market_closed: { title: "market closed", advice: "the order can only go out in market hours" },
  other: { title: "refused by the broker", advice: "check the order book at the broker for the reason" },
};

/** The freeze limit a rejection states ("exceeds the freeze limit of 1800"), or null when it names none. */
export function freezeLimitOf(text: string | null | undefined): number | null {
  const m = /freeze[^0-9]{0,40}?(\d{1,7})\b/i.exec(text ?? "");
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) && n > 1 ? n : null;
}
