/**
 * Verdicts of the readiness checks other than funds (docs/readiness.md "The checks"): each turns what a check found
 * into GREEN/AMBER/RED with the finding and the fix in words a trader acts on. Pure: facts and times are passed in.
 */
import { monthlyExpiries, type ExchangeSession } from "./calendar";
import type { InstrumentSettings } from "./instruments";
import { skewEstimate, type SkewBounds } from "./clock-skew";
import { istClock, type ReadinessItem } from "./readiness";

const seconds = (ms: number) => `${(Math.abs(ms) / 1000).toFixed(2)} s`;
const count = (n: number) => n.toLocaleString("en-IN");

// ─── session ───

/** What a cheap authenticated call (OpenAlgo's ping) answered. */
export type SessionProbe =
  | { ok: true; broker: string; mode: "live" | "analyze" }
  | { ok: false; reason: "auth" | "rate_limited" | "unavailable"; message: string }
  /** A direct broker account with no session, or one past its expiry: nothing was sent (docs/direct-brokers.md). */
  | { ok: false; reason: "login"; message: string };

/**
 * The session check's verdict. `direct` names the broker of a direct account (its sessions come from MirrorDesk's
 * own broker login); absent, the account is an OpenAlgo server's.
 */
export function sessionVerdict(probe: SessionProbe, host: string, direct?: string): ReadinessItem {
  if (probe.ok) {
    const mode = probe.mode === "analyze" ? "sandbox (analyzer) mode" : "live mode";
    return { check: "session", status: "GREEN", detail: `Broker session valid: ${probe.broker}, ${mode}`, fix: null };
  }
  const who = direct ?? "OpenAlgo";
  const relogin = `Use “Log in” on the account in Accounts (/accounts) to log in to ${direct} again, then check again.`;
  switch (probe.reason) {
    case "login":
      return { check: "session", status: "RED", detail: probe.message, fix: relogin };
    case "auth":
      return direct
        ? {
            check: "session",
            status: "RED",
            detail: `${direct} refused the session: ${probe.message}. Broker sessions end every morning.`,
            fix: relogin,
          }
        : {
            check: "session",
            status: "RED",
            detail: `The broker session is not valid: ${probe.message}. OpenAlgo logs every broker session out at 03:00 IST.`,
            fix: `Log in to the broker in OpenAlgo at ${host}, then check again (if the key was regenerated, update it on the account page).`,
          };
    case "rate_limited":
      return {
        check: "session",
        status: "AMBER",
        detail: `${who} at ${host} answered "too many requests" (${probe.message})`,
        fix: `Check again in a minute; if it persists, lower other tools' request rate on this ${direct ? "broker app" : "OpenAlgo"}.`,
      };
    case "unavailable":
      return {
        check: "session",
        status: "RED",
        detail: `${who} at ${host} did not answer: ${probe.message}`,
        fix: direct
          ? `Check that this server can reach ${host}; if it can, ${direct} may be down.`
          : `Make sure OpenAlgo is running and reachable at ${host} from this server.`,
      };
  }
}

// ─── feed ───

export interface FeedFacts {
  /** Which prices: the real brokers' or the simulator's. */
  kind: "real" | "simulated";
  /** The upstream connection's state as the feed last wrote it; null when no worker runs the feed. */
  status: { state: "connecting" | "live" | "reconnecting" | "down"; reason: string | null; subscribed: number } | null;
  /** Index contracts of the account's underlyings that the watchdog flags stale (`NSE_INDEX:NIFTY`), with since. */
  staleIndices: readonly { key: string; since: number }[];
  /** Whether the market is in session now (silence before the open is expected). */
  inSession: boolean;
}

const FEED_FIX =
  "Check that the market-data account (Accounts, primary) is logged in at its broker and that a worker is running; " +
  "MirrorDesk reconnects by itself once it can.";

export function feedVerdict(f: FeedFacts): ReadinessItem {
  const what = `The ${f.kind} live-price feed`;
  if (f.status?.state === "live") {
    if (f.staleIndices.length > 0) {
      const stale = f.staleIndices.map((s) => `${s.key} since ${istClock(s.since, true)}`).join(", ");
      return {
        check: "feed",
        status: "RED",
        detail: `${what} is connected but ticks stopped: ${stale}`,
        fix: `${FEED_FIX} Meanwhile positions are priced from REST quotes and new entries on those underlyings are refused.`,
      };
    }
    return {
      check: "feed",
      status: "GREEN",
      detail: `${what} is live (${count(f.status.subscribed)} contract${f.status.subscribed === 1 ? "" : "s"} subscribed)`,
      fix: null,
    };
  }
  const state = f.status
    ? `${f.status.state}${f.status.reason ? ` (${f.status.reason})` : ""}`
    : "not running (no worker holds it)";
  if (!f.inSession)
    return {
      check: "feed",
      status: "AMBER",
      detail: `${what} is ${state} before the session; it should be live by the open`,
      fix: `Check again nearer the open. ${FEED_FIX}`,
    };
  return { check: "feed", status: "RED", detail: `${what} is ${state} while the market is open`, fix: FEED_FIX };
}

// ─── contracts ───

/** One contract of today's series an armed strategy trades, with the settings and what the account's broker says. */
export interface ContractFacts {
  symbol: string;
  exchange: string;
  /** ISO date. */
  expiry: string;
  settings: Pick<InstrumentSettings, "underlying" | "lotSize" | "nextMonthLotSize" | "freezeQty" | "expiry">;
  /** The broker's /symbol answer; null when it does not know the symbol. */
  broker: { lotSize: number | null; freezeQty: number | null } | null;
}

const known = (n: number | null | undefined): n is number => typeof n === "number" && Number.isSafeInteger(n) && n > 1;

/** Lot-size and freeze-quantity mismatches between the settings and the broker for one contract (words), if any. */
function mismatches(c: ContractFacts, today: string, holidays: ReadonlySet<string>): { found: string; fix: string }[] {
  if (!c.broker) return [];
  const out: { found: string; fix: string }[] = [];
  const [currentSeries] = monthlyExpiries(c.settings.expiry, today, 1, holidays);
  const nextSeries = c.expiry > currentSeries;
  const lot = nextSeries ? c.settings.nextMonthLotSize : c.settings.lotSize;
  const u = c.settings.underlying;
  if (known(c.broker.lotSize) && c.broker.lotSize !== lot)
    out.push({
      found: `${c.symbol}: lot size ${count(c.broker.lotSize)} at the broker, ${count(lot)} in the settings`,
      fix: `set ${u}'s ${nextSeries ? "next-month lot size" : "lot size"} to ${count(c.broker.lotSize)}`,
    });
  // A freeze quantity of 1 means "unknown" on both sides (OpenAlgo reports 1 when it has none).
  if (known(c.broker.freezeQty) && known(c.settings.freezeQty) && c.broker.freezeQty !== c.settings.freezeQty)
    out.push({
      found: `${c.symbol}: freeze quantity ${count(c.broker.freezeQty)} at the broker, ${count(c.settings.freezeQty)} in the settings`,
      fix: `set ${u}'s freeze quantity to ${count(c.broker.freezeQty)}`,
    });
  return out;
}

/**
 * `unresolved`: strategies whose contracts for today could not be worked out (no expiry, no quote...), with why; their
 * contracts are not compared, which is AMBER at least.
 */
export function contractsVerdict(
  contracts: readonly ContractFacts[],
  today: string,
  holidays: ReadonlySet<string>,
  host: string,
  unresolved: readonly string[] = [],
): ReadinessItem {
  const unknown = contracts.filter((c) => c.broker === null).map((c) => `${c.exchange}:${c.symbol}`);
  const wrong = contracts.flatMap((c) => mismatches(c, today, holidays));
  const notResolved = unresolved.length ? [`not resolved today: ${unresolved.join("; ")}`] : [];
  if (unknown.length === 0 && wrong.length === 0) {
    if (notResolved.length)
      return {
        check: "contracts",
        status: "AMBER",
        detail: [
          ...(contracts.length ? [`Lot and freeze sizes match for ${contracts.map((c) => c.symbol).join(", ")}`] : []),
          ...notResolved,
        ].join("; "),
        fix: "Preview the strategies named to see why their contracts cannot be resolved.",
      };
    return {
      check: "contracts",
      status: "GREEN",
      detail: contracts.length
        ? `Lot and freeze sizes match the broker for ${contracts.map((c) => c.symbol).join(", ")}`
        : "No armed strategy trades in this account: no contract to compare",
      fix: null,
    };
  }
  const found = [
    ...wrong.map((w) => w.found),
    ...(unknown.length ? [`unknown at the broker: ${unknown.join(", ")}`] : []),
    ...notResolved,
  ];
  const fixes = [
    ...(wrong.length ? [`In Admin → Trading settings, ${wrong.map((w) => w.fix).join("; ")}.`] : []),
    ...(unknown.length ? [`Open OpenAlgo at ${host} and download today's master contract, then check again.`] : []),
  ];
  return { check: "contracts", status: "RED", detail: found.join("; "), fix: fixes.join(" ") };
}

// ─── calendar ───

const SOURCE: Record<ExchangeSession["source"], string> = {
  ADMIN: "an admin's override",
  OPENALGO: "OpenAlgo",
  DEFAULT: "the built-in defaults",
};

/** Today's sessions of the exchanges the account trades (NFO at least). */
export function calendarVerdict(sessions: readonly ExchangeSession[]): ReadinessItem {
  const text = (s: ExchangeSession) => {
    const what = s.description ? ` (${s.description})` : "";
    const when =
      s.closed || s.opensAt === null || s.closesAt === null
        ? "closed today"
        : `${istClock(s.opensAt).slice(0, 5)}–${istClock(s.closesAt)}`;
    return `${s.exchange} ${when}${what}, from ${SOURCE[s.source]}`;
  };
  if (sessions.length > 0 && sessions.every((s) => s.closed)) {
    const why = [...new Set(sessions.flatMap((s) => (s.description ? [s.description] : [])))].join(", ");
    const from = sessions.map((s) => `${s.exchange} from ${SOURCE[s.source]}`).join(", ");
    return {
      check: "calendar",
      status: "GREEN",
      detail: `Market closed today${why ? ` (${why})` : ""}; ${from}`,
      fix: null,
    };
  }
  const detail = sessions.map(text).join("; ");
  if (sessions.some((s) => !s.closed && s.source === "DEFAULT"))
    return {
      check: "calendar",
      status: "AMBER",
      detail: `Today's session was not read from OpenAlgo: ${detail}`,
      fix: "Refresh the calendar in Admin → Calendar (the market-data account must be logged in), or set today's session there.",
    };
  return { check: "calendar", status: "GREEN", detail: `Session known: ${detail}`, fix: null };
}

// ─── clock ───

export const CLOCK_AMBER_MS = 500;
export const CLOCK_RED_MS = 2_000;

export function clockVerdict(bounds: SkewBounds | null, host: string): ReadinessItem {
  const fix = `Synchronise the clocks (NTP) of this server and of the OpenAlgo server at ${host}: square-off, time exits and session times follow this server's clock.`;
  if (!bounds)
    return {
      check: "clock",
      status: "AMBER",
      detail: "The broker's answers carry no readable Date header: clocks not compared",
      fix,
    };
  const { skewMs, uncertaintyMs } = skewEstimate(bounds);
  const side = skewMs >= 0 ? "ahead of" : "behind";
  const detail = `The broker's clock is ${seconds(skewMs)} ${side} this server's (± ${uncertaintyMs} ms)`;
  const abs = Math.abs(skewMs);
  if (abs > CLOCK_RED_MS) return { check: "clock", status: "RED", detail, fix };
  if (abs > CLOCK_AMBER_MS) return { check: "clock", status: "AMBER", detail, fix };
  return { check: "clock", status: "GREEN", detail, fix: null };
}
