/**
 * One evaluation of one armed run (docs/risk.md "Rules"): its P&L from the ledger at fresh live prices, every armed
 * rule's level, observed value and distance, the breaches seen now, the trail's next state, and the snapshot the Risk
 * page shows. Hysteresis is applied by the caller (./hysteresis.ts): this function only says what it sees. Pure.
 */
import Decimal from "decimal.js";
import { formatRupees } from "@/lib/trading/rupees";
import { legRules } from "./leg-rules";
import { describeProblem } from "./price-check";
import { contractOf, isOpen, netPremium, openQuantity, positionsPnl } from "./run-book";
import type { Breach, PriceUse, RunRiskInput, RunRiskResult } from "./run-input";
import type { RiskRule, RiskSnapshot, RuleStatus } from "./snapshot";
import { trailDistance, trailStep, type TrailState } from "./trailing";

export type { Breach, PriceInput, PriceUse, RunRiskInput, RunRiskResult, SupertrendSignal } from "./run-input";

/** The key a breach is confirmed under: its rule, and its leg for leg rules. */
export const breachKey = (b: Pick<Breach, "rule" | "legIndex">) =>
  b.legIndex === null ? b.rule : `${b.rule}:${b.legIndex}`;

const str = (d: Decimal | null) => (d === null ? null : d.toString());

export function evaluateRun(input: RunRiskInput): RunRiskResult {
  const { rules } = input;
  const open = input.positions.filter(isOpen);
  const ltps = new Map<string, Decimal>();
  const prices: PriceUse[] = [];
  const stale: string[] = [];
  const waiting: string[] = [];
  for (const key of [...new Set(open.map(contractOf))].sort()) {
    const p = input.prices.get(key) ?? { check: { ok: false, problem: "none", ltp: null, at: null }, kind: "stale" };
    const [exchange, symbol] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    if (p.check.ok) {
      ltps.set(key, p.check.ltp);
      prices.push({ exchange, symbol, ltp: p.check.ltp.toString(), at: p.check.at, source: "feed" });
      continue;
    }
    const problem = describeProblem(key, p.check);
    prices.push({
      exchange,
      symbol,
      ltp: p.check.ltp,
      at: p.check.at,
      source: p.check.problem === "rest" ? "rest" : p.check.ltp === null ? null : "feed",
      problem,
    });
    (p.kind === "stale" ? stale : waiting).push(problem);
  }
  const { pnl: rawPnl, unpriced } = positionsPnl(input.positions, ltps);
  // P&L rules act only on a P&L every open price of which is usable.
  const pnl = stale.length + waiting.length === 0 ? rawPnl : null;
  const blocked: Pick<RuleStatus, "state" | "note"> = input.paused
    ? { state: "paused" }
    : { state: stale.length ? "skipped_stale" : "waiting", note: [...stale, ...waiting].join("; ") || "P&L unknown" };
  const statuses: RuleStatus[] = [];
  const breaches: Breach[] = [];
  let trail: TrailState | null = null;

  const pnlRule = (rule: RiskRule, level: Decimal, breached: boolean, distance: Decimal, message: string) => {
    statuses.push({
      rule,
      level: level.toString(),
      observed: str(pnl),
      distance: pnl === null ? null : distance.toString(),
      state: pnl === null || input.paused ? blocked.state : "armed",
      ...(pnl === null || input.paused ? (blocked.note ? { note: blocked.note } : {}) : {}),
    });
    if (pnl !== null && !input.paused && breached)
      breaches.push({ rule, legIndex: null, threshold: level, observed: pnl, message, confirm: true });
  };
  const pnlText = pnl === null ? "" : formatRupees(pnl);

  if (rules.maxLoss) {
    const level = rules.maxLoss.neg();
    pnlRule(
      "MAX_LOSS",
      level,
      !!pnl?.lte(level),
      (pnl ?? level).minus(level),
      `run P&L ${pnlText} reached the max loss of ${formatRupees(rules.maxLoss)}`,
    );
  }
  if (rules.target) {
    const t = rules.target;
    pnlRule(
      "TARGET",
      t,
      !!pnl?.gte(t),
      t.minus(pnl ?? t),
      `run P&L ${pnlText} reached the target of ${formatRupees(t)}`,
    );
  }
  if (rules.trailing) {
    const distance = trailDistance(rules.trailing.distance, {
      netPremium: netPremium(input.positions),
      openQuantity: openQuantity(input.positions),
    });
    if (distance === null) {
      statuses.push({
        rule: "TRAILING_STOP",
        level: null,
        observed: str(pnl),
        distance: null,
        state: "waiting",
        note: "distance unknown until the entry has filled",
      });
    } else if (pnl === null) {
      const kept = input.trail.stop;
      statuses.push({ rule: "TRAILING_STOP", level: str(kept), observed: null, distance: null, ...blocked });
    } else {
      trail = trailStep(input.trail, pnl, distance, rules.trailing.activateAt ?? null);
      const stop = trail.stop;
      pnlRule(
        "TRAILING_STOP",
        stop,
        pnl.lte(stop),
        pnl.minus(stop),
        `run P&L ${pnlText} fell to the trailing stop at ${formatRupees(stop)} (peak ${formatRupees(trail.peak)})`,
      );
    }
  }
  const legs = legRules(input, ltps);
  statuses.push(...legs.statuses);
  breaches.push(...legs.breaches);
  if (rules.supertrend) {
    const s = input.supertrend;
    // It is stepped only when every open price is usable (lib/services/risk/evaluate.ts), like a P&L rule.
    const priced = stale.length + waiting.length === 0;
    const note = !priced
      ? blocked.note
      : s?.direction
        ? undefined
        : s
          ? `warming up: ${s.candles} closed candles`
          : "no closed candles yet";
    statuses.push({
      rule: "SUPERTREND",
      level: str(s?.value ?? null),
      observed: null,
      distance: null,
      state: input.paused ? "paused" : !priced ? blocked.state : s ? "armed" : "waiting",
      ...(note && !input.paused ? { note } : {}),
    });
    if (s?.against && !input.paused)
      breaches.push({
        rule: "SUPERTREND",
        legIndex: null,
        threshold: s.value,
        observed: null,
        message: `the Supertrend of the combined premium turned ${s.direction ?? "against the position"}`,
        confirm: false,
      });
  }
  if (rules.timeExit && input.timeExit) {
    const t = input.timeExit;
    statuses.push({
      rule: "TIME_EXIT",
      level: rules.timeExit,
      observed: null,
      distance: null,
      state: input.paused ? "paused" : "armed",
      note: t.note,
    });
    if (t.fire && !input.paused)
      breaches.push({
        rule: "TIME_EXIT",
        legIndex: null,
        threshold: null,
        observed: null,
        message: `time exit at ${rules.timeExit} IST`,
        confirm: false,
      });
  }
  return {
    snapshot: {
      at: new Date(input.now).toISOString(),
      pnl: str(pnl),
      live: stale.length + waiting.length === 0,
      unpriced: [
        ...new Set([...unpriced, ...prices.filter((p) => p.problem).map((p) => `${p.exchange}:${p.symbol}`)]),
      ].sort(),
      rules: statuses,
      trail: trail
        ? { peak: trail.peak.toString(), stop: trail.stop.toString(), active: trail.active }
        : keptTrail(input),
      supertrend: rules.supertrend
        ? {
            direction: input.supertrend?.direction ?? null,
            value: str(input.supertrend?.value ?? null),
            candles: input.supertrend?.candles ?? 0,
            timeframeMinutes: rules.supertrend.timeframeMinutes,
          }
        : null,
    },
    breaches,
    trail,
    prices,
    // A run whose armed rules need no price (a time exit alone) has no stale episode.
    stale: needsPrices(input) ? stale : [],
  };
}

/** Whether any armed rule is decided on prices the engine reads (P&L rules, the Supertrend, watched leg rules). */
function needsPrices(input: RunRiskInput): boolean {
  const r = input.rules;
  const legs = r.legStopMode === "WATCH" && r.legs.some((l) => l.stopLoss || l.takeProfit);
  return !input.paused && !!(r.maxLoss || r.target || r.trailing || r.supertrend || legs);
}

function keptTrail(input: RunRiskInput): RiskSnapshot["trail"] {
  const { peak, stop } = input.trail;
  return input.rules.trailing && peak !== null && stop !== null
    ? { peak: peak.toString(), stop: stop.toString(), active: true }
    : null;
}
