"use client";

import { useState } from "react";
import { armsNothing, buildRules, riskDraftOf, rulesErrors, type RiskDraft } from "@/components/risk/risk-draft";
import { LegStopMode, RiskFields, type RulesErrors } from "@/components/risk/risk-fields";
import { LEG_STOP_MODE_TEXT, ruleSettings } from "@/components/risk/risk-format";
import type { FieldErrors, LegDraft, StrategyJson } from "@/components/strategies/drafts";

/**
 * The strategy form's risk state: the rules being edited and "send only to ready accounts". `definitionPart` builds
 * the definition's `risk` and `requireReadyAccounts` from them and the legs (each leg carries its own stop-loss and
 * take-profit), and remembers which leg each rules entry is so the server's field errors land on the right leg.
 */
export function useStrategyRisk(initial: StrategyJson | null) {
  const [draft, setDraft] = useState<RiskDraft>(() => riskDraftOf(initial?.definition.risk));
  const [requireReady, setRequireReady] = useState(initial?.definition.requireReadyAccounts ?? false);
  const [legIndexes, setLegIndexes] = useState<number[]>([]);

  function definitionPart(legs: readonly LegDraft[]) {
    const built = buildRules(
      draft,
      legs.map((l, legIndex) => ({ legIndex, stopLoss: l.stopLoss, takeProfit: l.takeProfit })),
    );
    setLegIndexes(built.legIndexes);
    // Nothing armed and leg stops watched (the default): the strategy stores no rules, so its runs get none.
    const none = armsNothing(built.rules) && built.rules.legStopMode === "WATCH";
    return { risk: none ? null : built.rules, requireReadyAccounts: requireReady };
  }

  /** After a strategy is reloaded (legs added elsewhere), edit what it now holds. */
  function reset(s: StrategyJson) {
    setDraft(riskDraftOf(s.definition.risk));
    setRequireReady(s.definition.requireReadyAccounts ?? false);
  }

  return {
    draft,
    setDraft,
    requireReady,
    setRequireReady,
    definitionPart,
    reset,
    errorsOf: (errors: FieldErrors): RulesErrors => rulesErrors(errors, "risk", legIndexes),
  };
}

/** The rules a saved strategy arms on each new run, one line each. */
export function RulesInForce({ definition }: { definition: StrategyJson["definition"] }) {
  const settings = definition.risk ? ruleSettings(definition.risk) : [];
  return (
    <div data-testid="rules-in-force" className="rounded-md bg-slate-50 px-3 py-2 text-sm dark:bg-slate-800/50">
      <p className="text-xs font-medium text-slate-600 dark:text-slate-400">In force for each new run (saved)</p>
      {settings.length ? (
        <ul className="mt-1 grid gap-x-6 gap-y-0.5 sm:grid-cols-2">
          {settings.map((s) => (
            <li key={s.key}>
              <span className="font-medium">{s.label}</span>: {s.setting}
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-1 text-slate-500">No risk rules: runs of this strategy are not watched by the risk engine.</p>
      )}
      <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
        {settings.some((s) => s.legIndex !== undefined)
          ? `Leg stops: ${LEG_STOP_MODE_TEXT[definition.risk?.legStopMode ?? "WATCH"].title}. `
          : ""}
        {definition.requireReadyAccounts
          ? "Sent only to accounts that passed today's readiness check."
          : "Sent to every chosen account, ready or not."}
      </p>
    </div>
  );
}

/** The form's Risk section: what is saved, then the rules to edit (per-leg levels sit in the legs table). */
export function StrategyRiskSection({
  saved,
  risk,
  errors,
  readOnly,
  onEdit,
}: {
  saved: StrategyJson | null;
  risk: ReturnType<typeof useStrategyRisk>;
  errors: RulesErrors;
  readOnly: boolean;
  onEdit: () => void;
}) {
  return (
    <section aria-label="Risk" className="space-y-3 border-t border-slate-200 pt-3 dark:border-slate-800">
      <div>
        <h3 className="text-xs font-medium text-slate-600 dark:text-slate-400">Risk</h3>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Armed afresh on every run and watched by the worker around the clock; a live run&apos;s rules can be changed
          or paused on the Risk page. Per-leg stop-loss and take-profit are in the legs table.
        </p>
      </div>
      {saved ? <RulesInForce definition={saved.definition} /> : null}
      <RiskFields
        idPrefix="s-risk"
        draft={risk.draft}
        errors={errors}
        readOnly={readOnly}
        onChange={(d) => {
          risk.setDraft(d);
          onEdit();
        }}
      />
      <LegStopMode
        name="s-leg-stop-mode"
        value={risk.draft.legStopMode}
        readOnly={readOnly}
        onChange={(legStopMode) => {
          risk.setDraft({ ...risk.draft, legStopMode });
          onEdit();
        }}
      />
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={risk.requireReady}
          disabled={readOnly}
          onChange={(e) => {
            risk.setRequireReady(e.target.checked);
            onEdit();
          }}
        />
        Send only to accounts that passed today&apos;s readiness check
      </label>
    </section>
  );
}
