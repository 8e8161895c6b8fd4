"use client";

import Decimal from "decimal.js";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { api } from "@/components/ui/api";
import { Alert, Badge, Field, Select, cx } from "@/components/ui/primitives";
import { formatDateTime, formatQty } from "@/lib/format";
import type { ChainSnapshot } from "@/lib/services/option-chain";
import { chainAnalytics } from "@/lib/trading/option-chain-view";
import { ChainTable, px } from "./chain-table";
import { useChainStream, type StreamState } from "./use-chain-stream";

interface ExpiriesJson {
  underlyings: string[];
  underlying: string;
  exchange: string;
  expiries: string[];
  source: { accountName: string; kind: "real" | "simulated"; fallbackReason: string | null };
}

const STRIKE_CHOICES = [5, 10, 20, 30, 50];

function Stat({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="min-w-0">
      <div className="text-[11px] text-slate-500 uppercase dark:text-slate-400">{label}</div>
      <div className="text-sm font-semibold tabular-nums" data-testid={testId}>
        {children}
      </div>
    </div>
  );
}

const STREAM_TONE: Record<StreamState, "green" | "amber" | "slate"> = {
  live: "green",
  connecting: "slate",
  reconnecting: "amber",
};

function HeaderStrip({ chain, stream }: { chain: ChainSnapshot; stream: StreamState }) {
  const analytics = useMemo(
    () =>
      chainAnalytics({
        rows: chain.rows,
        atm: chain.atm,
        spot: chain.spot.ltp,
        expiry: chain.expiry,
        nowMs: Date.now(),
      }),
    [chain],
  );
  const spotChange =
    chain.spot.ltp && chain.spot.prevClose ? new Decimal(chain.spot.ltp).minus(chain.spot.prevClose) : null;
  const days = Math.max(0, analytics.t * 365);
  return (
    <>
      <div className="mb-3 grid grid-cols-2 gap-x-4 gap-y-2 rounded-lg bg-white px-3 py-2 ring-1 ring-slate-200 sm:grid-cols-4 lg:grid-cols-8 dark:bg-slate-900 dark:ring-slate-800">
        <Stat label={`${chain.underlying} spot`} testId="chain-spot">
          {px(chain.spot.ltp)}
          {spotChange ? (
            <span
              className={cx(
                "ml-1 text-xs",
                spotChange.isNegative() ? "text-rose-600 dark:text-rose-400" : "text-emerald-600 dark:text-emerald-400",
              )}
            >
              {spotChange.isNegative() ? "" : "+"}
              {px(spotChange.toString())}
            </span>
          ) : null}
          {chain.spot.stale ? <span className="ml-1 text-[10px] text-amber-600">STALE</span> : null}
        </Stat>
        <Stat label={`Forward (${analytics.forwardFrom ?? "—"})`}>
          {analytics.forward === null ? "—" : px(analytics.forward.toFixed(2))}
        </Stat>
        <Stat label="ATM" testId="chain-atm">
          {px(chain.atm).replace(/\.00$/, "")}
        </Stat>
        <Stat label="PCR (OI)" testId="chain-pcr-oi">
          {analytics.pcr.oi?.toFixed(2) ?? "—"}
        </Stat>
        <Stat label="PCR (volume)">{analytics.pcr.volume?.toFixed(2) ?? "—"}</Stat>
        <Stat label="Max pain" testId="chain-max-pain">
          {analytics.maxPain ? px(analytics.maxPain).replace(/\.00$/, "") : "—"}
        </Stat>
        <Stat label="Days to expiry">{days.toFixed(days < 1 ? 2 : 1)}</Stat>
        <Stat label="Lot">{chain.lotSize ? formatQty(chain.lotSize) : "—"}</Stat>
      </div>
      <div className="mb-2 flex flex-wrap items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
        <Badge tone={STREAM_TONE[stream]}>
          <span data-testid="chain-stream">{stream}</span>
        </Badge>
        <Badge tone={chain.kind === "simulated" ? "blue" : "slate"}>
          {chain.kind === "simulated" ? "Simulated feed" : "Real feed"}
        </Badge>
        <span>
          ±{chain.strikesEach} strikes · PCR and max pain over the strikes shown · IV/greeks: Black-76 on the{" "}
          {analytics.forwardFrom === "parity" ? "put–call parity forward" : "spot carried to expiry"} · view of{" "}
          {formatDateTime(chain.at)}
        </span>
      </div>
      <ChainTable chain={chain} analytics={analytics} />
    </>
  );
}

/** The live option chain: underlying and expiry pickers, a summary strip and the chain around the live ATM. */
export function OptionChain() {
  const [underlying, setUnderlying] = useState<string | null>(null);
  const [expiry, setExpiry] = useState<string | null>(null);
  const [strikes, setStrikes] = useState(20);
  const meta = useQuery({
    queryKey: ["option-chain-expiries", underlying],
    queryFn: () =>
      api<ExpiriesJson>(
        `/api/option-chain/expiries${underlying ? `?underlying=${encodeURIComponent(underlying)}` : ""}`,
      ),
    staleTime: 5 * 60_000,
  });
  const shownUnderlying = underlying ?? meta.data?.underlying ?? null;
  const shownExpiry = expiry && meta.data?.expiries.includes(expiry) ? expiry : (meta.data?.expiries[0] ?? null);
  const params =
    shownUnderlying && shownExpiry && meta.data?.underlying === shownUnderlying
      ? { underlying: shownUnderlying, expiry: shownExpiry, strikes }
      : null;
  const { query, stream } = useChainStream(params);

  return (
    <>
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <Field label="Underlying" htmlFor="oc-underlying">
          <Select
            id="oc-underlying"
            value={shownUnderlying ?? ""}
            onChange={(e) => {
              setUnderlying(e.target.value);
              setExpiry(null);
            }}
          >
            {(meta.data?.underlyings ?? (shownUnderlying ? [shownUnderlying] : [])).map((u) => (
              <option key={u}>{u}</option>
            ))}
          </Select>
        </Field>
        <Field label="Expiry" htmlFor="oc-expiry">
          <Select id="oc-expiry" value={shownExpiry ?? ""} onChange={(e) => setExpiry(e.target.value)}>
            {(meta.data?.expiries ?? []).map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Strikes each side" htmlFor="oc-strikes">
          <Select id="oc-strikes" value={String(strikes)} onChange={(e) => setStrikes(Number(e.target.value))}>
            {STRIKE_CHOICES.map((n) => (
              <option key={n} value={n}>
                ±{n}
              </option>
            ))}
          </Select>
        </Field>
        {meta.data ? (
          <p className="pb-1.5 text-xs text-slate-500 dark:text-slate-400">
            Prices from {meta.data.source.accountName}
            {meta.data.source.fallbackReason ? ` (${meta.data.source.fallbackReason})` : ""}
          </p>
        ) : null}
      </div>
      {meta.error ? <Alert>{meta.error.message}</Alert> : null}
      {query.error ? <Alert>{query.error.message}</Alert> : null}
      {params && !query.data && !query.error ? <p className="text-sm text-slate-500">Loading the chain…</p> : null}
      {query.data ? <HeaderStrip chain={query.data} stream={stream} /> : null}
    </>
  );
}
