"use client";

import { Field, Input, Select, cx } from "@/components/ui/primitives";
import { errorsAt, type FieldErrors } from "@/components/strategies/drafts";
import { SUPERTREND_TIMEFRAMES } from "@/lib/trading/risk/rules";
import type { LevelDraft, LevelKind, RiskDraft } from "@/components/risk/risk-draft";
import { LEG_STOP_MODE_TEXT } from "@/components/risk/risk-format";

/** Field errors keyed from the rules' root (`maxLoss`, `trailing.distance.value`, `leg.2.stopLoss`). */
export type RulesErrors = FieldErrors;

const KINDS: Record<"leg" | "trail", [LevelKind, string][]> = {
  leg: [
    ["percent", "% of entry"],
    ["points", "points"],
    ["premium", "₹ premium"],
  ],
  trail: [
    ["percent", "% of net premium"],
    ["points", "points × quantity"],
    ["amount", "₹ amount"],
  ],
};

/** A level: its kind (none = no rule) and value, labelled `<label> kind` / `<label> value` for screen readers. */
export function LevelInput({
  label,
  prefix,
  level,
  of,
  onChange,
  readOnly,
  error,
}: {
  label: string;
  /** A short visible name where the column heading names two levels (`SL`, `TP`). */
  prefix?: string;
  level: LevelDraft;
  of: "leg" | "trail";
  onChange: (l: LevelDraft) => void;
  readOnly: boolean;
  error?: string[];
}) {
  return (
    <div>
      <div className="flex items-center gap-1">
        {prefix ? <span className="w-5 shrink-0 text-xs text-slate-500">{prefix}</span> : null}
        <Select
          aria-label={`${label} kind`}
          value={level.kind}
          disabled={readOnly}
          aria-invalid={!!error}
          onChange={(e) => onChange({ ...level, kind: e.target.value as LevelDraft["kind"] })}
        >
          <option value="">{of === "leg" ? "—" : "Off"}</option>
          {KINDS[of].map(([k, text]) => (
            <option key={k} value={k}>
              {text}
            </option>
          ))}
        </Select>
        {level.kind ? (
          <div className="w-18 shrink-0">
            <Input
              aria-label={`${label} value`}
              inputMode="decimal"
              value={level.value}
              disabled={readOnly}
              aria-invalid={!!error}
              onChange={(e) => onChange({ ...level, value: e.target.value })}
            />
          </div>
        ) : null}
      </div>
      {error ? <p className="mt-0.5 max-w-56 text-xs text-rose-600 dark:text-rose-400">{error.join(" ")}</p> : null}
    </div>
  );
}

/** Where leg stops live: chosen on a strategy, shown (not changed) on a live run. */
export function LegStopMode({
  value,
  onChange,
  readOnly,
  name,
}: {
  value: "WATCH" | "BROKER";
  onChange?: (v: "WATCH" | "BROKER") => void;
  readOnly: boolean;
  name: string;
}) {
  if (!onChange)
    return (
      <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="leg-stop-mode">
        Leg stops: <span className="font-semibold">{LEG_STOP_MODE_TEXT[value].title}</span> —{" "}
        {LEG_STOP_MODE_TEXT[value].line}
      </p>
    );
  return (
    <fieldset className="space-y-1">
      <legend className="text-xs font-medium text-slate-600 dark:text-slate-400">Leg stop-loss / take-profit</legend>
      {(["WATCH", "BROKER"] as const).map((mode) => (
        <label
          key={mode}
          className={cx(
            "flex items-start gap-2 rounded-md px-2 py-1.5 text-sm ring-1",
            value === mode
              ? "bg-indigo-50 ring-indigo-300 dark:bg-indigo-500/10 dark:ring-indigo-500/40"
              : "ring-slate-200 dark:ring-slate-700",
          )}
        >
          <input
            type="radio"
            name={name}
            className="mt-1"
            checked={value === mode}
            disabled={readOnly}
            onChange={() => onChange(mode)}
          />
          <span>
            <span className="font-medium">{LEG_STOP_MODE_TEXT[mode].title}</span>
            <span className="block text-xs text-slate-500 dark:text-slate-400">{LEG_STOP_MODE_TEXT[mode].line}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The run-level rules of a strategy or of a live run: max loss, target, trailing stop, Supertrend and time exit.
 * Per-leg levels are edited beside their legs; `legStopMode` here only when the caller lets it be changed.
 */
export function RiskFields({
  draft,
  onChange,
  errors,
  readOnly,
  idPrefix,
}: {
  draft: RiskDraft;
  onChange: (d: RiskDraft) => void;
  errors: RulesErrors;
  readOnly: boolean;
  idPrefix: string;
}) {
  const set = (patch: Partial<RiskDraft>) => onChange({ ...draft, ...patch });
  const st = draft.supertrend;
  const setSt = (patch: Partial<RiskDraft["supertrend"]>) => set({ supertrend: { ...st, ...patch } });
  const id = (k: string) => `${idPrefix}-${k}`;
  return (
    <div className="space-y-3">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Field label="Max loss ₹ (whole run)" htmlFor={id("max-loss")} error={errorsAt(errors, "maxLoss")}>
          <Input
            id={id("max-loss")}
            inputMode="decimal"
            placeholder="none"
            value={draft.maxLoss}
            disabled={readOnly}
            onChange={(e) => set({ maxLoss: e.target.value })}
          />
        </Field>
        <Field label="Target ₹ (whole run)" htmlFor={id("target")} error={errorsAt(errors, "target")}>
          <Input
            id={id("target")}
            inputMode="decimal"
            placeholder="none"
            value={draft.target}
            disabled={readOnly}
            onChange={(e) => set({ target: e.target.value })}
          />
        </Field>
        <Field label="Time exit (IST)" htmlFor={id("time-exit")} error={errorsAt(errors, "timeExit")}>
          <Input
            id={id("time-exit")}
            inputMode="numeric"
            placeholder="HH:MM, e.g. 15:00"
            maxLength={5}
            value={draft.timeExit}
            disabled={readOnly}
            onChange={(e) => set({ timeExit: e.target.value })}
          />
        </Field>
      </div>
      <div className="flex flex-wrap items-start gap-3">
        <div className="space-y-1">
          <span className="block text-xs font-medium text-slate-600 dark:text-slate-400">
            Trailing stop (follows the peak P&L, never moves back)
          </span>
          <LevelInput
            label="Trailing stop"
            of="trail"
            level={draft.trailing}
            readOnly={readOnly}
            error={errorsAt(errors, "trailing.distance")}
            onChange={(trailing) => set({ trailing })}
          />
        </div>
        {draft.trailing.kind ? (
          <div className="w-44">
            <Field
              label="Trail from ₹ P&L (optional)"
              htmlFor={id("trail-from")}
              error={errorsAt(errors, "trailing.activateAt")}
            >
              <Input
                id={id("trail-from")}
                inputMode="decimal"
                placeholder="at once"
                value={draft.trailActivateAt}
                disabled={readOnly}
                onChange={(e) => set({ trailActivateAt: e.target.value })}
              />
            </Field>
          </div>
        ) : null}
      </div>
      <fieldset className="space-y-1">
        <div className="flex flex-wrap items-center gap-x-2">
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              checked={st.on}
              disabled={readOnly}
              onChange={(e) => setSt({ on: e.target.checked })}
            />
            Supertrend exit
          </label>
          <span className="text-xs text-slate-500 dark:text-slate-400">
            on the open legs&apos; combined premium, closed candles only
          </span>
        </div>
        {st.on ? (
          <div className="flex flex-wrap items-start gap-3 pl-6">
            <Field label="Candles" htmlFor={id("st-tf")} error={errorsAt(errors, "supertrend.timeframeMinutes")}>
              <Select
                id={id("st-tf")}
                value={st.timeframeMinutes}
                disabled={readOnly}
                onChange={(e) => setSt({ timeframeMinutes: e.target.value })}
              >
                {SUPERTREND_TIMEFRAMES.map((m) => (
                  <option key={m} value={String(m)}>
                    {m} min
                  </option>
                ))}
              </Select>
            </Field>
            <div className="w-20">
              <Field label="Period" htmlFor={id("st-period")} error={errorsAt(errors, "supertrend.period")}>
                <Input
                  id={id("st-period")}
                  inputMode="numeric"
                  value={st.period}
                  disabled={readOnly}
                  onChange={(e) => setSt({ period: e.target.value })}
                />
              </Field>
            </div>
            <div className="w-20">
              <Field label="Multiplier" htmlFor={id("st-mult")} error={errorsAt(errors, "supertrend.multiplier")}>
                <Input
                  id={id("st-mult")}
                  inputMode="decimal"
                  value={st.multiplier}
                  disabled={readOnly}
                  onChange={(e) => setSt({ multiplier: e.target.value })}
                />
              </Field>
            </div>
          </div>
        ) : null}
      </fieldset>
    </div>
  );
}
