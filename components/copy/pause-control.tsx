"use client";

import { useState } from "react";
import { Button, Input } from "@/components/ui/primitives";

/**
 * Pause (asking for an optional reason first) or resume, for a group or one child. `label` names what is paused in
 * the buttons' accessible names ("Pause group", "Pause Beta").
 */
export function PauseControl({
  enabled,
  label,
  onPause,
  onResume,
  busy,
  error,
}: {
  enabled: boolean;
  label: string;
  onPause: (reason: string) => void;
  onResume: () => void;
  busy: boolean;
  error?: string | null;
}) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("");
  const failed = error ? <span className="text-xs text-rose-600">{error}</span> : null;
  if (!enabled)
    return (
      <span className="inline-flex flex-wrap items-center gap-1.5">
        <Button variant="secondary" disabled={busy} onClick={onResume} aria-label={`Resume ${label}`}>
          {busy ? "Resuming…" : "Resume"}
        </Button>
        {failed}
      </span>
    );
  if (!asking)
    return (
      <span className="inline-flex flex-wrap items-center gap-1.5">
        <Button variant="secondary" onClick={() => setAsking(true)} aria-label={`Pause ${label}`}>
          Pause
        </Button>
        {failed}
      </span>
    );
  return (
    <form
      className="inline-flex flex-wrap items-center gap-1.5"
      aria-label={`Pause ${label}`}
      onSubmit={(e) => {
        e.preventDefault();
        onPause(reason.trim());
        setAsking(false);
        setReason("");
      }}
    >
      <Input
        autoFocus
        aria-label={`Reason to pause ${label}`}
        placeholder="Reason (optional)"
        className="w-44"
        maxLength={200}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <Button type="submit" variant="danger" disabled={busy} aria-label={`Confirm pause ${label}`}>
        Pause
      </Button>
      <Button type="button" variant="ghost" onClick={() => setAsking(false)}>
        Cancel
      </Button>
      {failed}
    </form>
  );
}
