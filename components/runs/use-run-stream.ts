"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api } from "@/components/ui/api";
import { applyRunEvent, shownStatus } from "@/components/runs/run-events";
import type { RunEventJson } from "@/lib/services/runs";
import type { LiveRun } from "@/components/runs/types";

/** How often a working run is re-read while its stream is open, as a safety net for lost events. */
const RESYNC_MS = 10_000;

export type StreamState = "connecting" | "live" | "reconnecting" | "closed";

/**
 * The run from GET /api/runs/{id}, kept current by Server-Sent Events (no polling). When the stream drops it is
 * reopened with backoff and the run refetched once; events that arrive while a fetch is in flight are re-applied
 * on top of its answer so an older database read cannot undo them. A finished run whose stream ends stays closed.
 */
export function useRunStream(runId: string) {
  const qc = useQueryClient();
  const events = useRef<{ at: number; e: RunEventJson }[]>([]);
  const [stream, setStream] = useState<StreamState>("connecting");

  const q = useQuery({
    queryKey: ["run", runId],
    queryFn: async () => {
      const started = performance.now();
      const { run } = await api<{ run: LiveRun }>(`/api/runs/${runId}`);
      return events.current.filter((x) => x.at >= started).reduce((r, x) => applyRunEvent(r, x.e), run);
    },
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    // Redis pub/sub delivers at most once: an event lost in transit would leave a working run looking stuck. While
    // the run has work open, the page re-reads it now and then; a finished run is read once (docs/live-streams.md).
    refetchInterval: (query) => (query.state.data && shownStatus(query.state.data) === "WORKING" ? RESYNC_MS : false),
  });

  useEffect(() => {
    let es: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let opened = 0;
    let stopped = false;

    const open = (afterDrop: boolean) => {
      es = new EventSource(`/api/runs/${runId}/events`);
      es.onopen = () => {
        attempt = 0;
        setStream("live");
        // The subscription is live once the stream opens (the server answers only once it is subscribed). Whatever
        // changed before that (between the first read and the subscription, or while the stream was down) is in the
        // database: read it once. Live events received meanwhile are re-applied on top (see queryFn).
        if (afterDrop || opened++ === 0) void qc.invalidateQueries({ queryKey: ["run", runId] });
      };
      es.onmessage = (m) => {
        let e: RunEventJson;
        try {
          e = JSON.parse(m.data) as RunEventJson;
        } catch {
          return;
        }
        if (e.runId !== runId) return;
        events.current.push({ at: performance.now(), e });
        if (events.current.length > 5000) events.current.splice(0, events.current.length - 5000);
        qc.setQueryData<LiveRun>(["run", runId], (old) => (old ? applyRunEvent(old, e) : old));
      };
      es.onerror = () => {
        es?.close();
        if (stopped) return;
        const current = qc.getQueryData<LiveRun>(["run", runId]);
        if (current && shownStatus(current) !== "WORKING") {
          // A finished run's stream may end for good: read the final state once and stay closed.
          setStream("closed");
          void qc.invalidateQueries({ queryKey: ["run", runId] });
          return;
        }
        setStream("reconnecting");
        timer = setTimeout(() => open(true), Math.min(30_000, 1000 * 2 ** attempt++));
      };
    };
    open(false);
    return () => {
      stopped = true;
      clearTimeout(timer);
      es?.close();
    };
  }, [runId, qc]);

  return { query: q, stream };
}
