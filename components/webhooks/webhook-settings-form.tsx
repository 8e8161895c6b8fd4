"use client";

import { useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Button, Field, Input, Select } from "@/components/ui/primitives";
import type { WebhookSettingsResult, WebhookView } from "@/lib/services/webhooks";

/** TradingView's sender addresses (docs/webhooks.md "On the strategy page"). */
const TRADINGVIEW_IPS = ["52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7"];

interface Draft {
  mode: WebhookView["mode"];
  pyramiding: boolean;
  maxEntries: string;
  maxLagSeconds: string;
  dedupeSeconds: string;
  entryStart: string;
  entryEnd: string;
  allowedIps: string;
}

const draftOf = (w: WebhookView): Draft => ({
  mode: w.mode,
  pyramiding: w.pyramiding,
  maxEntries: String(w.maxEntries),
  maxLagSeconds: String(w.maxLagSeconds),
  dedupeSeconds: String(w.dedupeSeconds),
  entryStart: w.entryStart ?? "",
  entryEnd: w.entryEnd ?? "",
  allowedIps: w.allowedIps.join("\n"),
});

const num = (s: string) => (s.trim() === "" ? s : Number(s));

/** The webhook's settings: direction, pyramiding, lag and dedupe windows, entry window (IST), sender allow-list. */
export function WebhookSettingsForm({
  strategyId,
  webhook,
  readOnly,
  onSaved,
}: {
  strategyId: string;
  webhook: WebhookView;
  readOnly: boolean;
  onSaved: (r: WebhookSettingsResult) => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(webhook));
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const ipError = Object.entries(fields)
    .filter(([k]) => k.startsWith("allowedIps"))
    .flatMap(([, v]) => v);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    try {
      const body = {
        mode: d.mode,
        pyramiding: d.pyramiding,
        maxEntries: num(d.maxEntries),
        maxLagSeconds: num(d.maxLagSeconds),
        dedupeSeconds: num(d.dedupeSeconds),
        entryStart: d.entryStart.trim() || null,
        entryEnd: d.entryEnd.trim() || null,
        allowedIps: d.allowedIps.split(/[\s,]+/).filter(Boolean),
      };
      const r = await api<WebhookSettingsResult>(`/api/strategies/${strategyId}/webhook`, { method: "PATCH", body });
      setD(draftOf(r.webhook));
      onSaved(r);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Cannot reach the server.");
      if (err instanceof ApiError && err.fields) setFields(err.fields);
    } finally {
      setBusy(false);
    }
  }

  const id = (k: string) => `webhook-${k}`;
  return (
    <form onSubmit={save} className="space-y-3" aria-label="Webhook settings">
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6">
        <Field label="Direction" htmlFor={id("mode")} error={fields.mode}>
          <Select
            id={id("mode")}
            value={d.mode}
            disabled={readOnly}
            onChange={(e) => set({ mode: e.target.value as Draft["mode"] })}
            className="w-full"
          >
            <option value="LONG">Long only</option>
            <option value="SHORT">Short only</option>
            <option value="BOTH">Both</option>
          </Select>
        </Field>
        <Field label="Max entries" htmlFor={id("maxEntries")} error={fields.maxEntries}>
          <Input
            id={id("maxEntries")}
            inputMode="numeric"
            value={d.maxEntries}
            disabled={readOnly || !d.pyramiding}
            onChange={(e) => set({ maxEntries: e.target.value })}
          />
        </Field>
        <Field label="Max lag (s)" htmlFor={id("maxLagSeconds")} error={fields.maxLagSeconds}>
          <Input
            id={id("maxLagSeconds")}
            inputMode="numeric"
            value={d.maxLagSeconds}
            disabled={readOnly}
            onChange={(e) => set({ maxLagSeconds: e.target.value })}
          />
        </Field>
        <Field label="Dedupe window (s)" htmlFor={id("dedupeSeconds")} error={fields.dedupeSeconds}>
          <Input
            id={id("dedupeSeconds")}
            inputMode="numeric"
            value={d.dedupeSeconds}
            disabled={readOnly}
            onChange={(e) => set({ dedupeSeconds: e.target.value })}
          />
        </Field>
        <Field label="Entries from (IST)" htmlFor={id("entryStart")} error={fields.entryStart}>
          <Input
            id={id("entryStart")}
            placeholder="09:20"
            value={d.entryStart}
            disabled={readOnly}
            onChange={(e) => set({ entryStart: e.target.value })}
          />
        </Field>
        <Field label="Entries until (IST)" htmlFor={id("entryEnd")} error={fields.entryEnd}>
          <Input
            id={id("entryEnd")}
            placeholder="15:00"
            value={d.entryEnd}
            disabled={readOnly}
            onChange={(e) => set({ entryEnd: e.target.value })}
          />
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={d.pyramiding}
          disabled={readOnly}
          onChange={(e) => set({ pyramiding: e.target.checked })}
        />
        Pyramiding: repeated entries in the same direction add to the position
      </label>
      <Field
        label="Allowed sender addresses (one per line; empty = any)"
        htmlFor={id("allowedIps")}
        error={ipError.length ? ipError : undefined}
      >
        <textarea
          id={id("allowedIps")}
          rows={3}
          value={d.allowedIps}
          disabled={readOnly}
          onChange={(e) => set({ allowedIps: e.target.value })}
          placeholder="52.89.214.238 or 10.0.0.0/8"
          className="block w-full rounded-md bg-white px-2 py-1.5 font-mono text-xs ring-1 ring-slate-300 dark:bg-slate-900 dark:ring-slate-700"
        />
      </Field>
      <div className="flex flex-wrap items-center gap-2">
        <Button
          type="button"
          variant="secondary"
          disabled={readOnly}
          onClick={() => set({ allowedIps: TRADINGVIEW_IPS.join("\n") })}
        >
          Use TradingView&apos;s addresses
        </Button>
        <Button type="submit" disabled={readOnly || busy}>
          {busy ? "Saving…" : "Save settings"}
        </Button>
      </div>
      {error ? <Alert>{error}</Alert> : null}
    </form>
  );
}
