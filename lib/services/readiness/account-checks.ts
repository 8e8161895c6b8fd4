/**
 * The six checks of one account, run in parallel, each bounded in time (docs/readiness.md "The checks"). Broker calls
 * go through the account's adapter, so they spend its rate budget like any other call; the API key never appears in
 * what is stored or shown.
 */
import Decimal from "decimal.js";
import type { BrokerAdapter, Exchange } from "@/lib/brokers/types";
import { AppError, BrokerAuthError, RateLimitedError } from "@/lib/errors";
import { kindOfStored } from "@/lib/brokers/kinds";
import { LoginRequiredError } from "@/lib/brokers/login";
import { brokerEntry } from "@/lib/brokers/registry";
import { log } from "@/lib/log";
import { adapterFor } from "@/lib/services/broker-access";
import { feedKindOf } from "@/lib/services/market-data";
import { nextProbeAt, skewBounds, type ClockSample, type SkewBounds } from "@/lib/trading/clock-skew";
import type { ReadinessCheckName, ReadinessItem } from "@/lib/trading/readiness";
import { fundsVerdict, strategyNeed } from "@/lib/trading/readiness-funds";
import {
  calendarVerdict,
  clockVerdict,
  contractsVerdict,
  feedVerdict,
  sessionVerdict,
  type ContractFacts,
  type SessionProbe,
} from "@/lib/trading/readiness-verdicts";
import { sleep } from "@/lib/util/sleep";
import type { ArmedStrategy, CheckedAccount, CheckRun } from "./check-run";

/** The host as shown in fixes: scheme, host and path, never credentials a URL might carry. */
function displayHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return "(unreadable host URL)";
  }
}

/** The broker's name when the account is a direct one (its own login), else undefined (an OpenAlgo server). */
function directName(account: { kind: string }): string | undefined {
  const entry = brokerEntry(kindOfStored(account.kind));
  return entry.login ? entry.form.label : undefined;
}

/** A broker call that failed, in the session check's terms (any check's broker call fails the same ways). */
function probeOf(e: unknown): Extract<SessionProbe, { ok: false }> {
  if (!(e instanceof AppError)) throw e;
  if (e instanceof LoginRequiredError) return { ok: false, reason: "login", message: e.message };
  if (e instanceof BrokerAuthError) return { ok: false, reason: "auth", message: e.message };
  if (e instanceof RateLimitedError) return { ok: false, reason: "rate_limited", message: e.message };
  return { ok: false, reason: "unavailable", message: e.message };
}

/**
 * A check whose broker call failed: the session verdict's fix under this check's name. A refused key is told in full
 * once, by the session check; here it is named only.
 */
const failedCall = (
  check: ReadinessCheckName,
  e: unknown,
  account: CheckedAccount,
  host: string,
  what: string,
): ReadinessItem => {
  const probe = probeOf(e);
  const v = sessionVerdict(probe, host, directName(account));
  const why =
    probe.reason === "auth"
      ? "the broker refused the API key (see Session)"
      : probe.reason === "login"
        ? "not logged in to the broker (see Session)"
        : probe.message;
  return { check, status: v.status, detail: `${what}: ${why}`, fix: v.fix };
};

/** Runs one check with a time limit; a crash or an overrun is RED with what happened. */
async function bounded(
  check: ReadinessCheckName,
  ms: number,
  run: () => Promise<ReadinessItem>,
): Promise<ReadinessItem> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ReadinessItem>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          check,
          status: "RED",
          detail: `The check did not finish within ${ms / 1000} s`,
          fix: "Check again; if it keeps timing out, the broker is too slow to trade through.",
        }),
      ms,
    );
  });
  try {
    return await Promise.race([run(), late]);
  } catch (e) {
    log().error({ err: e, check }, "readiness check crashed");
    return {
      check,
      status: "RED",
      detail: `The check failed: ${e instanceof Error ? e.message : String(e)}`,
      fix: "Check again; if it persists, see the worker's log.",
    };
  } finally {
    clearTimeout(timer);
  }
}

async function session(account: CheckedAccount, host: string): Promise<ReadinessItem> {
  try {
    const ping = await adapterFor(account).ping();
    return sessionVerdict({ ok: true, broker: ping.broker, mode: ping.mode }, host, directName(account));
  } catch (e) {
    const verdict = sessionVerdict(probeOf(e), host, directName(account));
    // The renewal job's refusal says why the session was not renewed (docs/direct-brokers.md "Automatic renewal").
    return account.sessionRenewalError && verdict.status === "RED"
      ? { ...verdict, detail: `${verdict.detail}. Automatic renewal failed: ${account.sessionRenewalError}` }
      : verdict;
  }
}

async function funds(
  run: CheckRun,
  account: CheckedAccount,
  strategies: readonly ArmedStrategy[],
  host: string,
): Promise<ReadinessItem> {
  let f;
  try {
    f = await adapterFor(account).funds();
  } catch (e) {
    return failedCall("funds", e, account, host, "Funds could not be read");
  }
  const input = {
    id: account.id,
    name: account.name,
    funds: { availableMargin: f.availableMargin, cash: f.cash },
    lotMultiplier: new Decimal(account.lotMultiplier.toString()),
    maxLotsPerLeg: account.maxLotsPerLeg,
  };
  const needs = await Promise.all(
    strategies.map(async (s) => {
      const legs = await run.legsOf(s, account);
      if (!legs.ok) return { name: s.name, need: null, source: "available" as const, note: legs.reason };
      return strategyNeed({
        name: s.name,
        strategy: s.definition,
        legs: legs.legs,
        conditions: legs.conditions,
        account: input,
        marginModel: run.settings.marginModel,
      });
    }),
  );
  return fundsVerdict(input.funds, needs);
}

/** One contract per underlying and expiry the strategies trade today (lot and freeze sizes are per contract month). */
async function contracts(
  run: CheckRun,
  account: CheckedAccount,
  strategies: readonly ArmedStrategy[],
  host: string,
): Promise<ReadinessItem> {
  const byContract = new Map<string, { symbol: string; exchange: string; expiry: string; underlying: string }>();
  const unresolved: string[] = [];
  for (const s of strategies) {
    const legs = await run.legsOf(s, account);
    if (!legs.ok) {
      unresolved.push(`${s.name}: ${legs.reason}`);
      continue;
    }
    for (const l of legs.legs) {
      const key = `${l.underlying}|${l.expiry}`;
      if (!byContract.has(key)) byContract.set(key, l);
    }
  }
  const facts: ContractFacts[] = [];
  for (const c of byContract.values()) {
    const settings = run.settings.instruments[c.underlying];
    if (!settings) continue;
    let info;
    try {
      info = await adapterFor(account).symbolInfo(c.symbol, c.exchange as Exchange);
    } catch (e) {
      return failedCall("contracts", e, account, host, `Contract ${c.symbol} could not be read`);
    }
    facts.push({
      symbol: c.symbol,
      exchange: c.exchange,
      expiry: c.expiry,
      settings,
      broker: info && { lotSize: info.lotSize, freezeQty: info.freezeQty },
    });
  }
  return contractsVerdict(facts, run.today, run.holidays, host, unresolved);
}

async function calendar(run: CheckRun, strategies: readonly ArmedStrategy[]): Promise<ReadinessItem> {
  const exchanges = new Set(["NFO"]);
  for (const u of run.underlyingsOf(strategies)) {
    const s = run.settings.instruments[u];
    if (s) exchanges.add(s.exchange);
  }
  return calendarVerdict(await Promise.all([...exchanges].map((e) => run.session(e))));
}

/**
 * The broker's clock against ours from its `Date` headers: a first answer, then up to `probes − 1` more, each sent so
 * the server's second boundary falls in the middle of what is still unknown; stops once known to 100 ms.
 */
export async function measureSkew(adapter: BrokerAdapter, probes: number): Promise<SkewBounds | null> {
  if (!adapter.probeClock) return null;
  const samples: ClockSample[] = [await adapter.probeClock()];
  for (let i = 1; i < probes; i++) {
    const bounds = skewBounds(samples);
    if (!bounds || bounds.hi - bounds.lo <= 100) break;
    const last = samples[samples.length - 1];
    const at = nextProbeAt(bounds, Date.now(), last.receivedAt - last.sentAt);
    await sleep(Math.max(0, at - Date.now()));
    samples.push(await adapter.probeClock());
  }
  return skewBounds(samples);
}

async function clock(account: CheckedAccount, probes: number, host: string): Promise<ReadinessItem> {
  try {
    return clockVerdict(await measureSkew(adapterFor(account), probes), host);
  } catch (e) {
    return failedCall("clock", e, account, host, "The clock could not be compared");
  }
}

/** Every check of `account`, in the order of READINESS_CHECKS. */
export async function checkAccount(run: CheckRun, account: CheckedAccount): Promise<ReadinessItem[]> {
  const host = displayHost(account.hostUrl);
  const strategies = run.strategiesOf(account);
  const ms = run.options.checkTimeoutMs;
  return Promise.all([
    bounded("session", ms, () => session(account, host)),
    bounded("funds", ms, () => funds(run, account, strategies, host)),
    bounded("feed", ms, async () => feedVerdict(await run.feed(feedKindOf(account)))),
    bounded("contracts", ms, () => contracts(run, account, strategies, host)),
    bounded("calendar", ms, () => calendar(run, strategies)),
    bounded("clock", ms, () => clock(account, run.options.clockProbes, host)),
  ]);
}
