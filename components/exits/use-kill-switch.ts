"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import type { ExitRequest } from "@/lib/services/exits";
import type { KillSwitchStatusJson } from "@/lib/services/kill-switch";

const KEY = ["kill-switch"];

/** Kill-switch state, shared by the banner and the Risk page; re-read every 3 s so every open page learns of it. */
export function useKillSwitch() {
  return useQuery({
    queryKey: KEY,
    queryFn: () => api<KillSwitchStatusJson>("/api/kill-switch"),
    refetchInterval: 3_000,
  });
}

/** Engage or re-arm; refreshes the banner, the exits list and the positions at once. */
export function useKillSwitchAction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (
      body:
        | { action: "engage"; scope: "mine" | "all"; reason?: string }
        | { action: "rearm"; scope: "all" | "owner"; ownerId?: string },
    ) => api<{ exitId?: string }>("/api/kill-switch", { body }),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: KEY }),
        qc.invalidateQueries({ queryKey: ["exits"] }),
        qc.invalidateQueries({ queryKey: ["ledger"] }),
      ]),
  });
}

/** One exit request (run, strategy, account, excess); the exits list and ledger refresh afterwards. */
export function useExit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ExitRequest) =>
      api<{ exitId: string; runIds: string[]; joined: boolean }>("/api/exits", { body }),
    onSettled: () =>
      Promise.all([qc.invalidateQueries({ queryKey: ["exits"] }), qc.invalidateQueries({ queryKey: ["ledger"] })]),
  });
}
