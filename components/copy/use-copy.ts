"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import type { CopyGroupJson, CopyLogPageJson, DriftBoardJson } from "@/lib/services/copy";

/** Query keys of the copy pages: everything under ["copy"] is refreshed after a change a person makes. */
export const COPY_KEY = ["copy"] as const;
const groupKey = (id: string) => ["copy", "group", id] as const;

/** Every copy group of the user, with the last event of each (refreshed every 3 s while the page is visible). */
export function useCopyGroups() {
  return useQuery({
    queryKey: ["copy", "groups"],
    queryFn: () => api<{ groups: CopyGroupJson[] }>("/api/copy-groups"),
    refetchInterval: 3_000,
  });
}

/** One group with its children (refreshed every 2 s: a limit may pause a child at any time). */
export function useCopyGroup(id: string) {
  return useQuery({
    queryKey: groupKey(id),
    queryFn: () => api<CopyGroupJson>(`/api/copy-groups/${id}`),
    refetchInterval: (q) => (q.state.error ? false : 2_000),
    retry: (n, e) => n < 2 && !("status" in e && (e as { status: number }).status === 404),
  });
}

export interface LogFilters {
  status: string;
  kind: string;
  symbol: string;
}

/**
 * The copy log, newest first: the first page is re-read every second while the page is visible; "load older" adds
 * keyset pages behind it (each re-read with the cursor the page before it answers, so nothing is shown twice).
 */
export function useCopyLog(groupId: string, filters: LogFilters) {
  const qs = (cursor: string | null) => {
    const p = new URLSearchParams();
    if (cursor) p.set("cursor", cursor);
    if (filters.status) p.set("status", filters.status);
    if (filters.kind) p.set("kind", filters.kind);
    if (filters.symbol.trim()) p.set("symbol", filters.symbol.trim().toUpperCase());
    return p.toString();
  };
  return useInfiniteQuery({
    queryKey: ["copy", "log", groupId, filters],
    queryFn: ({ pageParam }) => api<CopyLogPageJson>(`/api/copy-groups/${groupId}/log?${qs(pageParam)}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 1_000,
  });
}

/** The drift board; every second while a sync is under way, else every 2 s. */
export function useDriftBoard(groupId: string, syncing: boolean) {
  return useQuery({
    queryKey: ["copy", "drift", groupId],
    queryFn: () => api<DriftBoardJson>(`/api/copy-groups/${groupId}/drift`),
    refetchInterval: syncing ? 1_000 : 2_000,
  });
}

/** A change to a group or child: calls the API, then refreshes every copy query so the pages show the outcome. */
export function useCopyAction<TInput, TResult = unknown>(call: (input: TInput) => Promise<TResult>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: () => qc.invalidateQueries({ queryKey: COPY_KEY }),
  });
}

export const copyApi = {
  pauseGroup: (id: string, reason: string) => api(`/api/copy-groups/${id}/pause`, { body: reason ? { reason } : {} }),
  resumeGroup: (id: string) => api(`/api/copy-groups/${id}/resume`, { body: {} }),
  deleteGroup: (id: string) => api(`/api/copy-groups/${id}`, { method: "DELETE" }),
  pauseChild: (id: string, accountId: string, reason: string) =>
    api(`/api/copy-groups/${id}/children/${accountId}/pause`, { body: reason ? { reason } : {} }),
  resumeChild: (id: string, accountId: string) =>
    api(`/api/copy-groups/${id}/children/${accountId}/resume`, { body: {} }),
  removeChild: (id: string, accountId: string) =>
    api(`/api/copy-groups/${id}/children/${accountId}`, { method: "DELETE" }),
  sync: (id: string, body: { accountId: string; symbol: string; exchange: string; product: string }) =>
    api<{ eventId: string; runId: string | null }>(`/api/copy-groups/${id}/sync`, { body }),
};
