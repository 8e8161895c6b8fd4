"use client";

import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Button, Card } from "@/components/ui/primitives";
import { PreviewExecute } from "@/components/runs/preview-execute";
import { RunsTable } from "@/components/runs/runs-table";
import { StrategyParity } from "@/components/strategies/strategy-parity";
import { LedgerTable } from "@/components/exits/ledger-table";
import type { PreviewJson } from "@/lib/services/runs";
import { LegEditor } from "@/components/strategies/leg-editor";
import {
  checkLegs,
  legFromDraft,
  legSummary,
  newLeg,
  normaliseApiFields,
  type FieldErrors,
  type LegDraft,
  type StrategyJson,
} from "@/components/strategies/drafts";

/**
 * Below the builder of a saved strategy: preview + execute of the whole strategy, adjustment legs (added to the
 * live strategy, then previewed and executed on their own), and the strategy's runs.
 */
export function StrategyRunsPanel({
  strategy,
  canWrite,
  dirty,
  underlyings,
  onLegsAdded,
}: {
  strategy: StrategyJson;
  canWrite: boolean;
  dirty: boolean;
  underlyings: string[];
  onLegsAdded: (s: StrategyJson) => void;
}) {
  const qc = useQueryClient();
  const base = `/api/strategies/${strategy.id}`;
  const blocked = dirty ? "Save your changes first" : null;

  return (
    <>
      <PreviewExecute
        key={strategy.updatedAt}
        title="Preview and execute"
        blocked={blocked}
        canExecute={canWrite}
        preview={() => api<{ preview: PreviewJson }>(`${base}/preview`, { body: {} }).then((r) => r.preview)}
        execute={(idempotencyKey) =>
          api<{ runId: string }>(`${base}/execute`, { body: { idempotencyKey } }).finally(() =>
            qc.invalidateQueries({ queryKey: ["runs"] }),
          )
        }
      />
      {canWrite ? (
        <Adjustments strategy={strategy} blocked={blocked} underlyings={underlyings} onLegsAdded={onLegsAdded} />
      ) : null}
      <Card title="Positions of this strategy">
        <LedgerTable url={`${base}/positions`} canWrite={canWrite} />
      </Card>
      <Card title="Parity · target vs filled across runs">
        <StrategyParity strategyId={strategy.id} />
      </Card>
      <Card title="Runs of this strategy">
        <RunsTable strategyId={strategy.id} showStrategy={false} limit={20} />
      </Card>
    </>
  );
}

function Adjustments({
  strategy,
  blocked,
  underlyings,
  onLegsAdded,
}: {
  strategy: StrategyJson;
  blocked: string | null;
  underlyings: string[];
  onLegsAdded: (s: StrategyJson) => void;
}) {
  const existing = strategy.definition.legs.length;
  const [open, setOpen] = useState(false);
  const [legs, setLegs] = useState<LegDraft[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState<number[] | null>(null);

  function start() {
    const last = strategy.definition.legs[existing - 1];
    setLegs([newLeg(last ? { underlying: last.underlying, expiry: last.expiry } : {})]);
    setErrors({});
    setError(null);
    setAdded(null);
    setOpen(true);
  }

  async function addLegs() {
    const body = legs.map(legFromDraft);
    // Errors are keyed by the legs' final positions (after the strategy's existing legs).
    const local = checkLegs(body);
    const shifted: FieldErrors = Object.fromEntries(
      Object.entries(local).map(([k, v]) => [k.replace(/^legs\.(\d+)/, (_, i) => `legs.${Number(i) + existing}`), v]),
    );
    setErrors(shifted);
    if (Object.keys(shifted).length) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api<{ strategy: StrategyJson; addedLegIndexes: number[] }>(
        `/api/strategies/${strategy.id}/legs`,
        { body: { legs: body } },
      );
      setAdded(res.addedLegIndexes);
      onLegsAdded(res.strategy);
    } catch (e) {
      const f = normaliseApiFields(e instanceof ApiError ? e.fields : undefined);
      setErrors(
        Object.fromEntries(
          Object.entries(f).map(([k, v]) => [k.replace(/^legs\.(\d+)/, (_, i) => `legs.${Number(i) + existing}`), v]),
        ),
      );
      setError(e instanceof ApiError ? e.message : "Cannot reach the server.");
    } finally {
      setBusy(false);
    }
  }

  if (added) {
    const addedLegs = added.map((i) => strategy.definition.legs[i]).filter(Boolean);
    return (
      <div className="space-y-2" data-testid="adjustment">
        <Alert tone="green" role="status">
          Added leg{added.length === 1 ? "" : "s"} {added.map((i) => i + 1).join(", ")} to the strategy:{" "}
          {addedLegs.map(legSummary).join(" · ")}. Preview and execute only these below.
        </Alert>
        <PreviewExecute
          title={`Adjustment: leg${added.length === 1 ? "" : "s"} ${added.map((i) => i + 1).join(", ")}`}
          executeLabel="Execute adjustment"
          blocked={blocked}
          canExecute
          preview={() =>
            api<{ preview: PreviewJson }>(`/api/strategies/${strategy.id}/preview`, {
              body: { legIndexes: added },
            }).then((r) => r.preview)
          }
          execute={(idempotencyKey) =>
            api<{ runId: string }>(`/api/strategies/${strategy.id}/execute`, {
              body: { idempotencyKey, legIndexes: added },
            })
          }
        />
        <Button variant="ghost" onClick={() => setAdded(null)}>
          Done
        </Button>
      </div>
    );
  }

  return (
    <Card
      title="Adjustments"
      actions={
        !open ? (
          <Button variant="secondary" onClick={start} disabled={!!blocked}>
            Add adjustment legs
          </Button>
        ) : null
      }
    >
      {open ? (
        <div className="space-y-3">
          {error ? <Alert>{error}</Alert> : null}
          <p className="text-xs text-slate-500">
            New legs are appended to the strategy (legs 1–{existing} keep their numbers) and can then be executed on
            their own.
          </p>
          <LegEditor
            legs={legs}
            onChange={setLegs}
            errors={errors}
            underlyings={underlyings}
            readOnly={false}
            indexBase={existing}
          />
          <div className="flex gap-2">
            <Button onClick={addLegs} disabled={busy || !!blocked || legs.length === 0}>
              {busy ? "Adding…" : "Add to strategy"}
            </Button>
            <Button variant="ghost" onClick={() => setOpen(false)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <p className="text-sm text-slate-500">
          Roll or hedge a live position: add legs to this strategy and execute only the new ones.
        </p>
      )}
    </Card>
  );
}
