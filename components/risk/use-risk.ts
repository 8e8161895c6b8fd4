"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import type { RulesBody } from "@/components/risk/risk-draft";
import type { RiskEventJson, RiskRunJson } from "@/lib/services/risk";

/** Every risk query starts with this key: a `risk` event of the user stream marks them all stale (LiveBridge). */
export const RISK_KEY = ["risk"] as const;
const RUNS_KEY = [...RISK_KEY, "runs"] as const;

/**
 * Live runs under risk rules with the engine's latest evaluation, read every second while the page is visible (a
 * hidden tab stops polling) for live P&L; a risk event refetches at once.
 */
export function useRiskRuns() {
  return useQuery({
    queryKey: RUNS_KEY,
    queryFn: () => api<{ runs: RiskRunJson[] }>("/api/risk/runs"),
    refetchInterval: 1_000,
  });
}

/**
 * One run's risk events, read while they are shown. A risk event refetches them at once; the slow poll covers an
 * event lost while the stream reconnected.
 */
export function useRunRiskEvents(runId: string) {
  return useQuery({
    queryKey: [...RISK_KEY, "run", runId],
    queryFn: () => api<RiskRunJson & { events: RiskEventJson[] }>(`/api/runs/${runId}/risk`),
    refetchInterval: 10_000,
  });
}

export type RiskChange = { rules: RulesBody } | { paused: boolean };

/**
 * Changes or pauses the rules of a live run. A pause shows at once (optimistic) and is rolled back if refused; either
 * way the page then reads what the server holds.
 */
export function useRiskChange(runId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (change: RiskChange) => api<RiskRunJson>(`/api/runs/${runId}/risk`, { method: "PATCH", body: change }),
    onMutate: async (change) => {
      if (!("paused" in change)) return { before: undefined };
      await qc.cancelQueries({ queryKey: RUNS_KEY });
      const before = qc.getQueryData<{ runs: RiskRunJson[] }>(RUNS_KEY);
      if (before)
        qc.setQueryData(RUNS_KEY, {
          runs: before.runs.map((r) => (r.runId === runId ? { ...r, paused: change.paused } : r)),
        });
      return { before };
    },
    onError: (_e, _change, ctx) => {
      if (ctx?.before) qc.setQueryData(RUNS_KEY, ctx.before);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: RISK_KEY }),
  });
}
