"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "@/components/ui/api";
import type { ChainEvent, ChainSnapshot } from "@/lib/services/option-chain";
import { applyQuote, applyStale } from "./chain-state";

export type StreamState = "connecting" | "live" | "reconnecting";

/** How often buffered deltas are folded into the view (the feed sends each contract at most 4 times a second). */
const FLUSH_MS = 150;

/**
 * The chain from GET /api/option-chain, kept live by the Server-Sent Events of /api/stream/option-chain: the stream
 * sends the whole view when it opens (and when the ATM moves the window), then quote and stale deltas. A dropped
 * stream is reopened with backoff; its first snapshot replaces whatever was missed meanwhile.
 */
export function useChainStream(params: { underlying: string; expiry: string; strikes: number } | null) {
  const qc = useQueryClient();
  const [stream, setStream] = useState<StreamState>("connecting");
  const qs = params ? new URLSearchParams({ ...params, strikes: String(params.strikes) }).toString() : "";
  const key = ["option-chain", qs];

  const query = useQuery({
    queryKey: key,
    queryFn: () => api<{ chain: ChainSnapshot }>(`/api/option-chain?${qs}`).then((r) => r.chain),
    enabled: params !== null,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: 1,
  });

  useEffect(() => {
    if (!qs) return;
    const queryKey = ["option-chain", qs];
    let es: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let pending: ChainEvent[] = [];
    let attempt = 0;
    let stopped = false;

    const flush = () => {
      flushTimer = undefined;
      const batch = pending;
      pending = [];
      qc.setQueryData<ChainSnapshot>(queryKey, (old) => {
        let chain = old;
        for (const e of batch) {
          if (e.type === "snapshot") chain = e.chain;
          else if (!chain) continue;
          else if (e.type === "quote") chain = applyQuote(chain, e.key, e.quote);
          else chain = applyStale(chain, e.key, e.stale);
        }
        return chain;
      });
    };

    const open = () => {
      setStream("connecting");
      es = new EventSource(`/api/stream/option-chain?${qs}`);
      es.onopen = () => {
        attempt = 0;
        setStream("live");
      };
      es.onmessage = (m) => {
        let e: ChainEvent;
        try {
          e = JSON.parse(m.data) as ChainEvent;
        } catch {
          return;
        }
        pending.push(e);
        flushTimer ??= setTimeout(flush, FLUSH_MS);
      };
      es.onerror = () => {
        es?.close();
        if (stopped) return;
        setStream("reconnecting");
        timer = setTimeout(open, Math.min(30_000, 1000 * 2 ** attempt++));
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(flushTimer);
      es?.close();
    };
  }, [qs, qc]);

  return { query, stream };
}
