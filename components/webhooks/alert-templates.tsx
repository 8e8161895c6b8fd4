"use client";

import { useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Button, Card, Select } from "@/components/ui/primitives";
import { AccountPlansTable } from "@/components/runs/plan-preview";
import { CopyButton } from "@/components/webhooks/copy-button";
import { ALERT_MESSAGES, sampleOf, type AlertMessage } from "@/components/webhooks/alert-messages";
import type { PreviewJson } from "@/lib/services/runs";

/** What "Send test alert" answers: what the real alert would get, and the plan it would send (nothing is sent). */
interface DryRunResult {
  verdict: "dry_run" | "ignored" | "rejected";
  status: number;
  reason: string;
  action: string | null;
  from: string | null;
  to: string | null;
  preview: PreviewJson | null;
}

/** The alert messages to paste into TradingView, each with a copy button and when to use it. */
export function AlertTemplates() {
  return (
    <Card title="TradingView alert messages">
      <div className="grid gap-3 lg:grid-cols-2">
        {ALERT_MESSAGES.map((m) => (
          <div key={m.key} className="min-w-0 rounded-md ring-1 ring-slate-200 dark:ring-slate-800">
            <div className="flex items-center justify-between gap-2 border-b border-slate-200 px-2 py-1 dark:border-slate-800">
              <h3 className="text-xs font-semibold">{m.title}</h3>
              <CopyButton text={m.message} label={`Copy ${m.title} alert message`} />
            </div>
            <p className="px-2 pt-1 text-xs text-slate-500">{m.when}</p>
            <pre
              aria-label={`${m.title} alert message`}
              className="overflow-x-auto px-2 py-1.5 text-xs whitespace-pre-wrap"
            >
              {m.message}
            </pre>
          </div>
        ))}
      </div>
    </Card>
  );
}

const TONE = { dry_run: "green", ignored: "amber", rejected: "red" } as const;

/** "Send test alert": pick a form, edit the message, and see what the webhook would do with it. Nothing is sent. */
export function TestAlert({ strategyId, disabled }: { strategyId: string; disabled: boolean }) {
  const [form, setForm] = useState<AlertMessage>(ALERT_MESSAGES[0]);
  // The message keeps its placeholders until it is sent: a `{{timenow}}` filled when the page opened would be refused
  // for lag by the time someone presses Send.
  const [message, setMessage] = useState(ALERT_MESSAGES[0].message);
  const [result, setResult] = useState<DryRunResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function send() {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(
        await api<DryRunResult>(`/api/strategies/${strategyId}/webhook/test`, {
          body: { message: sampleOf(message, new Date()), contentType: form.contentType },
        }),
      );
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Cannot reach the server.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Send test alert">
      <div className="space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <Select
            aria-label="Alert form"
            value={form.key}
            onChange={(e) => {
              const next = ALERT_MESSAGES.find((m) => m.key === e.target.value)!;
              setForm(next);
              setMessage(next.message);
            }}
          >
            {ALERT_MESSAGES.map((m) => (
              <option key={m.key} value={m.key}>
                {m.title}
              </option>
            ))}
          </Select>
          <span className="text-xs text-slate-500">
            sent as {form.contentType}; placeholders are filled with samples when sent
          </span>
        </div>
        <textarea
          aria-label="Test alert message"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          rows={6}
          maxLength={16 * 1024}
          className="block w-full rounded-md bg-white px-2 py-1.5 font-mono text-xs ring-1 ring-slate-300 dark:bg-slate-900 dark:ring-slate-700"
        />
        <Button type="button" onClick={send} disabled={busy || disabled}>
          {busy ? "Checking…" : "Send test alert"}
        </Button>
        <p className="text-xs text-slate-500">Nothing is sent to a broker; the check is logged as a dry run.</p>
        {error ? <Alert>{error}</Alert> : null}
        {result ? (
          <div className="space-y-2" data-testid="test-alert-result">
            <Alert tone={TONE[result.verdict]} role="status">
              <strong>{result.verdict.replace("_", " ")}</strong> · HTTP {result.status}
              {result.action ? ` · ${result.action}` : ""}
              {result.from ? ` · ${result.from} → ${result.to ?? result.from}` : ""} — {result.reason}
            </Alert>
            {result.preview ? <AccountPlansTable preview={result.preview} /> : null}
          </div>
        ) : null}
      </div>
    </Card>
  );
}
