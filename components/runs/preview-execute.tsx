"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type ReactNode } from "react";
import { ApiError } from "@/components/ui/api";
import { Alert, Button, Card } from "@/components/ui/primitives";
import { AccountPlansTable, ResolvedLegsTable } from "@/components/runs/plan-preview";
import { newIdempotencyKey } from "@/components/runs/idempotency";
import type { PreviewJson } from "@/components/runs/types";

/** Planning errors of a 422: the message plus every field/leg message the API listed. */
function errorLines(e: unknown): string[] {
  if (!(e instanceof ApiError)) return ["Cannot reach the server. Check your connection."];
  const lines = Object.entries(e.fields ?? {}).flatMap(([k, v]) =>
    v.map((m) => (k === "_" || k === "legs" ? m : `${k.replace(/^legs\.(\d+)/, (_, i) => `leg ${Number(i) + 1}`)}: ${m}`)),
  );
  return lines.length ? lines : [e.message];
}

/**
 * Preview → Execute for a strategy, an adjustment or a ticket. Execute is only offered for a preview the trader has
 * seen, is disabled while previewing or sending, and sends one idempotency key per click (a double click cannot
 * create two runs). On success the browser goes to the live run view.
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
  const [errors, setErrors] = useState<string[]>([]);
  const [phase, setPhase] = useState<"idle" | "previewing" | "sending" | "sent">("idle");
  const sending = useRef(false);

  async function onPreview() {
    setPhase("previewing");
    setErrors([]);
    try {
      setPreview(await requestPreview());
    } catch (e) {
      setPreview(null);
      setErrors(errorLines(e));
    }
    setPhase("idle");
  }

  async function onExecute() {
    if (sending.current) return;
    sending.current = true;
    setPhase("sending");
    setErrors([]);
    try {
      const { runId } = await execute(newIdempotencyKey());
      setPhase("sent");
      router.push(`/executions/${runId}`);
    } catch (e) {
      sending.current = false;
      setErrors(errorLines(e));
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
            <Button onClick={onExecute} disabled={!preview || !!blocked || planned === 0 || phase !== "idle"} title={preview ? undefined : "Preview first"}>
              {phase === "sending" || phase === "sent" ? "Sending…" : `${executeLabel}${preview ? ` · ${preview.totals.orders} orders` : ""}`}
            </Button>
          ) : null}
        </>
      }
    >
      <div className="space-y-3" data-testid="preview">
        {errors.length ? (
          <Alert>
            <ul className="list-inside list-disc">{errors.map((m, i) => <li key={i}>{m}</li>)}</ul>
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
            Preview resolves the contracts once (expiry, strike, price) and plans every account: lots, quantity, slices, hedge-first phases and margin.
            Nothing is sent until you {canExecute ? executeLabel.toLowerCase() : "execute"}.
          </p>
        ) : null}
      </div>
    </Card>
  );
}
