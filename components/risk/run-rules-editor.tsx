"use client";

import { useState } from "react";
import { ApiError } from "@/components/ui/api";
import { Alert, Button, Table } from "@/components/ui/primitives";
import {
  buildRules,
  legRiskDraftOf,
  riskDraftOf,
  rulesErrors,
  type LegRiskDraft,
  type RiskDraft,
} from "@/components/risk/risk-draft";
import { errorsAt } from "@/components/strategies/drafts";
import { LegStopMode, LevelInput, RiskFields, type RulesErrors } from "@/components/risk/risk-fields";
import type { RiskRunJson } from "@/lib/services/risk";
import { useRiskChange } from "@/components/risk/use-risk";

/**
 * Changes the rules of a live run in place (audited by the server, and shown as a risk event). Where leg stops live
 * is the strategy's choice and is shown, not changed. Refused field by field (400) or once a rule fired (409).
 */
export function RunRulesEditor({ run, onDone }: { run: RiskRunJson; onDone: () => void }) {
  const change = useRiskChange(run.runId);
  const [draft, setDraft] = useState<RiskDraft>(() => riskDraftOf(run.rules));
  const [legs, setLegs] = useState<(LegRiskDraft & { legIndex: number })[]>(() =>
    run.legs.map((l) => ({ legIndex: l.legIndex, ...legRiskDraftOf(run.rules, l.legIndex) })),
  );
  const [errors, setErrors] = useState<RulesErrors>({});
  const [message, setMessage] = useState<string | null>(null);

  function save() {
    const { rules, legIndexes } = buildRules({ ...draft, legStopMode: run.legStopMode }, legs);
    setMessage(null);
    change.mutate(
      { rules },
      {
        onSuccess: onDone,
        onError: (e) => {
          setErrors(e instanceof ApiError ? rulesErrors(e.fields, "rules", legIndexes) : {});
          setMessage(e instanceof ApiError ? e.message : "Cannot reach the server. Check your connection.");
        },
      },
    );
  }
  const setLeg = (legIndex: number, patch: Partial<LegRiskDraft>) =>
    setLegs((ls) => ls.map((l) => (l.legIndex === legIndex ? { ...l, ...patch } : l)));

  return (
    <form
      aria-label="Change rules"
      className="space-y-3 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-800/40 dark:ring-slate-700"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      {message ? <Alert>{message}</Alert> : null}
      <RiskFields idPrefix={`run-${run.runId}`} draft={draft} onChange={setDraft} errors={errors} readOnly={false} />
      {legs.length ? (
        <Table
          head={
            <tr>
              <th className="px-2 py-1.5">Leg</th>
              <th className="px-2 py-1.5">Contract</th>
              <th className="px-2 py-1.5">Stop-loss</th>
              <th className="px-2 py-1.5">Take-profit</th>
            </tr>
          }
        >
          {run.legs.map((l) => {
            const d = legs.find((x) => x.legIndex === l.legIndex)!;
            const n = l.legIndex + 1;
            return (
              <tr key={l.legIndex} className="align-top">
                <td className="px-2 py-1 text-xs text-slate-500">{n}</td>
                <td className="px-2 py-1 text-xs whitespace-nowrap">
                  <span className={l.action === "BUY" ? "text-emerald-700" : "text-rose-700"}>{l.action}</span>{" "}
                  <span className="font-mono">{l.symbol}</span>
                </td>
                <td className="px-2 py-1">
                  <LevelInput
                    label={`Leg ${n} stop-loss`}
                    of="leg"
                    level={d.stopLoss}
                    readOnly={false}
                    error={errorsAt(errors, `leg.${l.legIndex}.stopLoss`)}
                    onChange={(stopLoss) => setLeg(l.legIndex, { stopLoss })}
                  />
                </td>
                <td className="px-2 py-1">
                  <LevelInput
                    label={`Leg ${n} take-profit`}
                    of="leg"
                    level={d.takeProfit}
                    readOnly={false}
                    error={errorsAt(errors, `leg.${l.legIndex}.takeProfit`)}
                    onChange={(takeProfit) => setLeg(l.legIndex, { takeProfit })}
                  />
                </td>
              </tr>
            );
          })}
        </Table>
      ) : null}
      <LegStopMode name={`run-${run.runId}-mode`} value={run.legStopMode} readOnly />
      <div className="flex gap-2">
        <Button type="submit" disabled={change.isPending}>
          {change.isPending ? "Saving…" : "Save rules"}
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
