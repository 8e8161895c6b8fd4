"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import type { CurveJson } from "@/lib/services/pnl-history";

/** How often an open curve is re-read: the recorder's default snapshot interval (docs/market-data.md "P&L history"). */
export const MTM_REFRESH_MS = 5_000;

/**
 * One P&L curve (`/api/runs/{id}/mtm`, `/api/strategies/{id}/mtm`, `/api/mtm`), polled while shown. The one place a
 * chart gets its points: switching to a pushed stream changes this hook only.
 *
 * Polling stays on purpose: the user stream logs every event it carries for replay after a reconnect (a capped log
 * per owner, docs/live-streams.md), and a point per owner every snapshot would fill that log in about forty minutes
 * at the default interval, crowding out the run and alert events a reconnect must replay (prices, which are state,
 * are kept out of it for the same reason). One indexed read per chart per snapshot interval is cheaper than adding
 * a second, unlogged kind of channel to the stream.
 */
export function useMtmCurve(url: string) {
  return useQuery({
    queryKey: ["mtm", url],
    queryFn: async () => (await api<{ curve: CurveJson }>(url)).curve,
    refetchInterval: MTM_REFRESH_MS,
  });
}
