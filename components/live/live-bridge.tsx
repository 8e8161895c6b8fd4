"use client";

import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import type { LedgerRowJson } from "@/lib/services/positions";
import type { PositionsSnapshot, PriceDelta, StaleChange } from "@/lib/services/user-stream";
import { useLiveEvent } from "./use-live";
import { RISK_KEY } from "@/components/risk/use-risk";

/** The ledger of every account the user may read: the positions page, the dashboard and the risk page share it. */
export const LIVE_LEDGER_URL = "/api/positions/ledger";
export const LIVE_LEDGER_KEY = ["ledger", LIVE_LEDGER_URL] as const;

const holder: { snapshotAt: number } = { snapshotAt: 0 };

/** When the last positions snapshot arrived (performance.now()): a REST read started before it must not undo it. */
export const lastSnapshotAt = () => holder.snapshotAt;

function patchPrices(qc: QueryClient, d: PriceDelta) {
  const byKey = new Map(d.rows.map((r) => [r.key, r]));
  qc.setQueryData<LedgerRowJson[]>(LIVE_LEDGER_KEY, (old) =>
    old?.map((r) => {
      const p = byKey.get(r.key);
      return p ? { ...r, ...p } : r;
    }),
  );
}

function patchStale(qc: QueryClient, c: StaleChange) {
  qc.setQueryData<LedgerRowJson[]>(LIVE_LEDGER_KEY, (old) =>
    old?.map((r) =>
      r.feed === c.feed && `${r.exchange}:${r.symbol}` === c.contract && r.netQty !== 0 ? { ...r, stale: c.stale } : r,
    ),
  );
}

/**
 * Mounted once per signed-in page: keeps the tab's stream open and turns its events into TanStack Query state. The
 * positions book is written straight into the shared ledger query (the server computes it with the same definition
 * as `/api/positions/ledger`); other events mark the queries they change stale, so they are read afresh.
 */
export function LiveBridge() {
  const qc = useQueryClient();
  useLiveEvent<PositionsSnapshot>("positions", (s) => {
    holder.snapshotAt = performance.now();
    qc.setQueryData<LedgerRowJson[]>(LIVE_LEDGER_KEY, s.rows);
  });
  useLiveEvent<PriceDelta>("prices", (d) => patchPrices(qc, d));
  useLiveEvent<StaleChange>("stale", (c) => patchStale(qc, c));
  useLiveEvent("run", () => void qc.invalidateQueries({ queryKey: ["runs"] }));
  useLiveEvent("account", () => {
    void qc.invalidateQueries({ queryKey: ["accounts"] });
    void qc.invalidateQueries({ queryKey: ["alerts"] });
  });
  useLiveEvent("alert", () => void qc.invalidateQueries({ queryKey: ["alerts"] }));
  useLiveEvent("readiness", () => void qc.invalidateQueries({ queryKey: ["readiness"] }));
  useLiveEvent("notification", () => void qc.invalidateQueries({ queryKey: ["notifications"] }));
  useLiveEvent("kill-switch", () => {
    void qc.invalidateQueries({ queryKey: ["kill-switch"] });
    void qc.invalidateQueries({ queryKey: ["exits"] });
  });
  // A rule fired, was skipped, changed or paused: the Risk page reads its runs and events at once.
  useLiveEvent("risk", () => void qc.invalidateQueries({ queryKey: RISK_KEY }));
  // The log could not fill the gap since the last event: read everything afresh.
  useLiveEvent("resync", () => void qc.invalidateQueries());
  return null;
}
