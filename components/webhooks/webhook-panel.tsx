"use client";

import { useCallback, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button, Card, Input } from "@/components/ui/primitives";
import { CopyButton } from "@/components/webhooks/copy-button";
import { WebhookSettingsForm } from "@/components/webhooks/webhook-settings-form";
import { AlertTemplates, TestAlert } from "@/components/webhooks/alert-templates";
import { AlertLog } from "@/components/webhooks/alert-log";
import type { WebhookSettingsResult, WebhookView, WebhookWithUrl } from "@/lib/services/webhooks";
import { formatDateTime } from "@/lib/format";

/** The header a signed alert carries (`sha256=<hex HMAC-SHA256 of the body>`). */
const SIGNATURE_HEADER = "x-mirrordesk-signature";

/** Something shown once (the URL after create/rotate, a new signing secret): copy it now, it is not shown again. */
function ShownOnce({ label, value }: { label: string; value: string }) {
  return (
    <div className="space-y-1 rounded-md bg-amber-50 p-2 ring-1 ring-amber-600/30 dark:bg-amber-500/10" role="status">
      <p className="text-xs font-semibold text-amber-800 dark:text-amber-300">{label}: shown once — copy it now</p>
      <div className="flex gap-2">
        <Input
          readOnly
          aria-label={label}
          value={value}
          className="font-mono text-xs"
          onFocus={(e) => e.target.select()}
        />
        <CopyButton text={value} label={`Copy ${label.toLowerCase()}`} />
      </div>
    </div>
  );
}

/**
 * The strategy page's webhook panel: create, the one-time URL, rotate / revoke / pause, settings, the signing secret,
 * the alert messages to paste into TradingView, a test alert and the alert log.
 */
export function WebhookPanel({ strategyId, canWrite }: { strategyId: string; canWrite: boolean }) {
  const qc = useQueryClient();
  const key = ["webhook", strategyId];
  const q = useQuery({
    queryKey: key,
    queryFn: () => api<{ webhook: WebhookView | null }>(`/api/strategies/${strategyId}/webhook`),
  });
  const [once, setOnce] = useState<{ label: string; value: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const webhook = q.data?.webhook ?? null;
  const active = !!webhook?.active;
  const path = `/api/strategies/${strategyId}/webhook`;
  // Each new alert may have moved the signal state (FLAT → LONG ...): read the webhook again.
  const refresh = useCallback(() => qc.invalidateQueries({ queryKey: ["webhook", strategyId] }), [qc, strategyId]);

  async function act(work: () => Promise<void>, confirmText?: string) {
    if (confirmText && !window.confirm(confirmText)) return;
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Cannot reach the server.");
    } finally {
      setBusy(false);
    }
  }
  const put = (w: WebhookView) => qc.setQueryData(key, { webhook: w });
  const withUrl = (r: WebhookWithUrl) => {
    put(r.webhook);
    setOnce({ label: "Webhook URL", value: r.url });
  };
  const settingsSaved = (r: WebhookSettingsResult) => {
    put(r.webhook);
    if (r.secret) setOnce({ label: "Signing secret", value: r.secret });
  };

  const status = !webhook ? null : !active ? (
    <Badge tone="slate">revoked</Badge>
  ) : webhook.enabled ? (
    <Badge tone="green">live</Badge>
  ) : (
    <Badge tone="amber">paused</Badge>
  );

  return (
    <div className="space-y-4" data-testid="webhook-panel">
      <Card title={<span className="flex items-center gap-2">Webhook {status}</span>}>
        <div className="space-y-3">
          {q.isError ? <Alert>Webhook could not be loaded: {q.error.message}</Alert> : null}
          {q.isSuccess && !active ? (
            <div className="flex flex-wrap items-center gap-2">
              <p className="text-sm text-slate-600 dark:text-slate-400">
                {webhook ? "The webhook was revoked; its old URL no longer works." : "No webhook yet."} A webhook lets a
                TradingView alert trade this strategy.
              </p>
              {canWrite ? (
                <Button
                  type="button"
                  disabled={busy}
                  onClick={() => act(async () => withUrl(await api<WebhookWithUrl>(path, { method: "POST" })))}
                >
                  Create webhook
                </Button>
              ) : null}
            </div>
          ) : null}
          {once ? <ShownOnce {...once} /> : null}
          {webhook && active ? (
            <>
              <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-xs sm:grid-cols-4">
                <dt className="text-slate-500">URL</dt>
                <dd className="font-mono break-all">{webhook.urlHint}</dd>
                <dt className="text-slate-500">Signal state</dt>
                <dd data-testid="webhook-position">
                  {webhook.position}
                  {webhook.position !== "FLAT"
                    ? ` · ${webhook.entries} entr${webhook.entries === 1 ? "y" : "ies"}`
                    : ""}
                </dd>
                <dt className="text-slate-500">Created</dt>
                <dd>{formatDateTime(webhook.createdAt)}</dd>
                <dt className="text-slate-500">Rotated</dt>
                <dd>{webhook.rotatedAt ? formatDateTime(webhook.rotatedAt) : "never"}</dd>
              </dl>
              {canWrite ? (
                <div className="flex flex-wrap gap-2">
                  <Button
                    type="button"
                    variant="secondary"
                    disabled={busy}
                    onClick={() =>
                      act(
                        async () => withUrl(await api<WebhookWithUrl>(`${path}/rotate`, { method: "POST" })),
                        "Make a new URL? The current URL stops working at once: update your TradingView alerts.",
                      )
                    }
                  >
                    Rotate URL
                  </Button>
                  <Button
                    type="button"
                    variant="secondary"
                    disabled={busy}
                    onClick={() =>
                      act(async () =>
                        settingsSaved(
                          await api<WebhookSettingsResult>(path, {
                            method: "PATCH",
                            body: { enabled: !webhook.enabled },
                          }),
                        ),
                      )
                    }
                  >
                    {webhook.enabled ? "Pause" : "Resume"}
                  </Button>
                  <Button
                    type="button"
                    variant="danger"
                    disabled={busy}
                    onClick={() =>
                      act(async () => {
                        put((await api<{ webhook: WebhookView }>(path, { method: "DELETE" })).webhook);
                        setOnce(null);
                      }, "Revoke this webhook? Its URL stops working at once; the alert log is kept.")
                    }
                  >
                    Revoke
                  </Button>
                </div>
              ) : null}
              <div className="rounded-md p-2 text-xs ring-1 ring-slate-200 dark:ring-slate-800">
                <p className="mb-1 font-medium">
                  Body signing:{" "}
                  {webhook.signed ? <Badge tone="green">required</Badge> : <Badge tone="slate">off</Badge>}
                </p>
                <p className="mb-2 text-slate-500">
                  Senders that can sign (not TradingView) send{" "}
                  <code className="font-mono">{SIGNATURE_HEADER}: sha256=&lt;hex HMAC-SHA256 of the body&gt;</code>.
                </p>
                {canWrite ? (
                  <div className="flex flex-wrap gap-2">
                    <Button
                      type="button"
                      variant="secondary"
                      disabled={busy}
                      onClick={() =>
                        act(
                          async () =>
                            settingsSaved(
                              await api<WebhookSettingsResult>(path, {
                                method: "PATCH",
                                body: { signing: "generate" },
                              }),
                            ),
                          webhook.signed
                            ? "Make a new signing secret? The current one stops working at once."
                            : undefined,
                        )
                      }
                    >
                      {webhook.signed ? "New signing secret" : "Require signatures"}
                    </Button>
                    {webhook.signed ? (
                      <Button
                        type="button"
                        variant="ghost"
                        disabled={busy}
                        onClick={() =>
                          act(async () =>
                            settingsSaved(
                              await api<WebhookSettingsResult>(path, { method: "PATCH", body: { signing: "remove" } }),
                            ),
                          )
                        }
                      >
                        Stop requiring signatures
                      </Button>
                    ) : null}
                  </div>
                ) : null}
              </div>
              <WebhookSettingsForm
                key={webhook.id + (webhook.rotatedAt ?? "")}
                strategyId={strategyId}
                webhook={webhook}
                readOnly={!canWrite}
                onSaved={settingsSaved}
              />
            </>
          ) : null}
          {error ? <Alert>{error}</Alert> : null}
        </div>
      </Card>
      {webhook && active ? (
        <>
          <AlertTemplates />
          <TestAlert strategyId={strategyId} disabled={!canWrite} />
        </>
      ) : null}
      {webhook ? <AlertLog strategyId={strategyId} onNewAlert={refresh} /> : null}
    </div>
  );
}
