"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type ReactNode } from "react";
import { ApiError, api } from "@/components/ui/api";
import { Alert, Button, Card } from "@/components/ui/primitives";
import { AccountPlansTable, ResolvedLegsTable } from "@/components/runs/plan-preview";
import { newIdempotencyKey } from "@/components/runs/idempotency";
import type { PreviewJson } from "@/lib/services/runs";

/**
 * Planning errors of a 422: the message plus every field/leg message the API listed. A refusal (409) explains itself
 * in its message — the stale-prices refusal names each underlying, since when (IST), and that exits stay allowed
 * (docs/market-data.md "Stale data") — so its message is shown whole.
 */
function errorLines(e: unknown): string[] {
  if (!(e instanceof ApiError)) return ["Cannot reach the server. Check your connection."];
  if (e.status === 409) return [e.message];
  const lines = Object.entries(e.fields ?? {}).flatMap(([k, v]) =>
    v.map((m) =>
      k === "_" || k === "legs" ? m : `${k.replace(/^legs\.(\d+)/, (_, i) => `leg ${Number(i) + 1}`)}: ${m}`,
    ),
  );
  return lines.length ? lines : [e.message];
}

/** A headline for a refusal (409): what kind of "no" this is, above the server's explanation. */
function refusalTitle(e: unknown): string | null {
  if (!(e instanceof ApiError) || e.status !== 409) return null;
  return e.fields?.underlying ? "Refused: live prices are stale" : "Refused";
}

/** The run an earlier Execute with this key created, if the server has one (its answer may have been lost). */
async function runForKey(idempotencyKey: string): Promise<string | null> {
  const { runs } = await api<{ runs: { id: string }[] }>(
    `/api/runs?idempotencyKey=${encodeURIComponent(idempotencyKey)}&limit=1`,
  );
  return runs[0]?.id ?? null;
}

/** Whether the server may have acted although the call failed: no answer at all, or a 5xx. */
const outcomeUnknown = (e: unknown) => !(e instanceof ApiError) || e.status >= 500;

/**
 * Preview → Execute for a strategy, an adjustment or a ticket. Execute is only offered for a preview the trader has
 * seen and is disabled while previewing or sending. The idempotency key is made with the preview and kept until the
 * preview changes: a second click for the same preview (a double click, a retry after a lost answer) can never
 * create a second run. When a send fails without a clear answer, the run is first looked up by that key and opened
 * if it exists. On success the browser goes to the live run view.
 */
export function PreviewExecute({
  preview: requestPreview,
  execute,
  canExecute,
  blocked,
  executeLabel = "Execute",
  title = "Preview",
}: {
  preview: () => Promise<PreviewJson>;
  execute: (idempotencyKey: string) => Promise<{ runId: string }>;
  canExecute: boolean;
  /** Why previewing is not possible right now (unsaved changes, no symbol…), or null. */
  blocked: string | null;
  executeLabel?: string;
  title?: ReactNode;
}) {
  const router = useRouter();
  const [preview, setPreview] = useState<PreviewJson | null>(null);
  const idempotencyKey = useRef<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [refused, setRefused] = useState<string | null>(null);
  const [phase, setPhase] = useState<"idle" | "previewing" | "sending" | "sent">("idle");
  const sending = useRef(false);

  async function onPreview() {
    setPhase("previewing");
    setErrors([]);
    setRefused(null);
    try {
      const next = await requestPreview();
      idempotencyKey.current = newIdempotencyKey();
      setPreview(next);
    } catch (e) {
      idempotencyKey.current = null;
      setPreview(null);
      setRefused(refusalTitle(e));
      setErrors(errorLines(e));
    }
    setPhase("idle");
  }

  async function onExecute() {
    const key = idempotencyKey.current;
    if (sending.current || !key) return;
    sending.current = true;
    setPhase("sending");
    setErrors([]);
    setRefused(null);
    const open = (runId: string) => {
      setPhase("sent");
      router.push(`/executions/${runId}`);
    };
    try {
      open((await execute(key)).runId);
    } catch (e) {
      const found = outcomeUnknown(e) ? await runForKey(key).catch(() => null) : null;
      if (found) return open(found);
      sending.current = false;
      setRefused(refusalTitle(e));
      setErrors(
        outcomeUnknown(e)
          ? [
              ...errorLines(e),
              "No run was found for this click. Sending again is safe: it carries the same key, so it can never create a second run.",
            ]
          : errorLines(e),
      );
      setPhase("idle");
    }
  }

  const planned = preview?.totals.accountsPlanned ?? 0;
  return (
    <Card
      title={title}
      actions={
        <>
          {blocked ? <span className="text-xs text-slate-500">{blocked}</span> : null}
          <Button variant="secondary" onClick={onPreview} disabled={!!blocked || phase !== "idle"}>
            {phase === "previewing" ? "Previewing…" : preview ? "Refresh preview" : "Preview"}
          </Button>
          {canExecute ? (
            <Button
              onClick={onExecute}
              disabled={!preview || !!blocked || planned === 0 || phase !== "idle"}
              title={preview ? undefined : "Preview first"}
            >
              {phase === "sending" || phase === "sent"
                ? "Sending…"
                : `${executeLabel}${preview ? ` · ${preview.totals.orders} orders` : ""}`}
            </Button>
          ) : null}
        </>
      }
    >
      <div className="space-y-3" data-testid="preview">
        {errors.length ? (
          <Alert>
            {refused ? (
              <p className="font-semibold" data-testid="preview-refused">
                {refused}
              </p>
            ) : null}
            <ul className="list-inside list-disc" data-testid="preview-errors">
              {errors.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          </Alert>
        ) : null}
        {preview ? (
          <>
            <ResolvedLegsTable legs={preview.legs} conditions={preview.conditions} />
            <AccountPlansTable preview={preview} />
            {planned === 0 ? <Alert tone="amber">Every account is skipped: nothing would be sent.</Alert> : null}
          </>
        ) : errors.length === 0 ? (
          <p className="text-sm text-slate-500">
            Preview resolves the contracts once (expiry, strike, price) and plans every account: lots, quantity, slices,
            hedge-first phases and margin. Nothing is sent until you{" "}
            {canExecute ? executeLabel.toLowerCase() : "execute"}.
          </p>
        ) : null}
      </div>
    </Card>
  );
}
