"use client";

import { Button, Input, Select, cx } from "@/components/ui/primitives";
import { errorsAt, newLeg, type FieldErrors, type LegDraft } from "@/components/strategies/drafts";
import { LevelInput, type RulesErrors } from "@/components/risk/risk-fields";

const th = "py-1.5 pr-2 font-medium";

/**
 * The legs table of the builder: one row per leg, every field editable in place. `indexBase` numbers the rows
 * (adjustment legs continue after the strategy's existing ones); `errorPrefix` keys the field errors. With
 * `riskErrors` (the strategy's own legs) each leg also has its stop-loss and take-profit.
 */
export function LegEditor({
  legs,
  onChange,
  errors,
  underlyings,
  readOnly,
  indexBase = 0,
  riskErrors,
}: {
  legs: LegDraft[];
  onChange: (legs: LegDraft[]) => void;
  errors: FieldErrors;
  underlyings: string[];
  readOnly: boolean;
  indexBase?: number;
  riskErrors?: RulesErrors;
}) {
  const set = (i: number, patch: Partial<LegDraft>) => onChange(legs.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  const last = legs[legs.length - 1];
  return (
    <div className="space-y-2">
      <div className="overflow-x-auto">
        <table className="min-w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase dark:border-slate-800 dark:text-slate-400">
            <tr>
              <th className={th}>#</th>
              <th className={th}>Underlying</th>
              <th className={th}>Instrument</th>
              <th className={th}>Expiry</th>
              <th className={th}>Side</th>
              <th className={th}>Type</th>
              <th className={th}>Strike</th>
              <th className={th}>Lots</th>
              <th className={th}>Order type</th>
              {riskErrors ? <th className={th}>Stop-loss / take-profit</th> : null}
              <th />
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {legs.map((l, i) => {
              const n = indexBase + i + 1;
              const err = errorsAt(errors, `legs.${indexBase + i}`);
              const opt = l.instrument === "options";
              return (
                <tr
                  key={i}
                  data-testid={`leg-row-${n}`}
                  className={cx("align-top", err && "bg-rose-50/60 dark:bg-rose-500/5")}
                >
                  <td className="py-1.5 pr-2 text-xs text-slate-500">{n}</td>
                  <td className="py-1 pr-2">
                    <Select
                      aria-label={`Leg ${n} underlying`}
                      value={l.underlying}
                      disabled={readOnly}
                      onChange={(e) => set(i, { underlying: e.target.value })}
                    >
                      {[...new Set([...underlyings, l.underlying])].map((u) => (
                        <option key={u}>{u}</option>
                      ))}
                    </Select>
                  </td>
                  <td className="py-1 pr-2">
                    <Select
                      aria-label={`Leg ${n} instrument`}
                      value={l.instrument}
                      disabled={readOnly}
                      onChange={(e) => set(i, { instrument: e.target.value as LegDraft["instrument"] })}
                    >
                      <option value="options">Options</option>
                      <option value="futures">Futures</option>
                    </Select>
                  </td>
                  <td className="py-1 pr-2">
                    <Select
                      aria-label={`Leg ${n} expiry`}
                      value={l.expiry}
                      disabled={readOnly}
                      onChange={(e) => set(i, { expiry: e.target.value as LegDraft["expiry"] })}
                    >
                      <option value="current_week">Current week</option>
                      <option value="next_week">Next week</option>
                      <option value="current_month">Current month</option>
                      <option value="next_month">Next month</option>
                    </Select>
                  </td>
                  <td className="py-1 pr-2">
                    <Select
                      aria-label={`Leg ${n} action`}
                      value={l.action}
                      disabled={readOnly}
                      onChange={(e) => set(i, { action: e.target.value as LegDraft["action"] })}
                      className={
                        l.action === "BUY"
                          ? "text-emerald-700 dark:text-emerald-400"
                          : "text-rose-700 dark:text-rose-400"
                      }
                    >
                      <option value="BUY">BUY</option>
                      <option value="SELL">SELL</option>
                    </Select>
                  </td>
                  <td className="py-1 pr-2">
                    {opt ? (
                      <Select
                        aria-label={`Leg ${n} option type`}
                        value={l.optionType}
                        disabled={readOnly}
                        onChange={(e) => set(i, { optionType: e.target.value as LegDraft["optionType"] })}
                      >
                        <option value="CE">CE</option>
                        <option value="PE">PE</option>
                      </Select>
                    ) : (
                      <span className="text-xs text-slate-400">FUT</span>
                    )}
                  </td>
                  <td className="py-1 pr-2">
                    {opt ? (
                      <div className="flex items-center gap-1">
                        <Select
                          aria-label={`Leg ${n} strike`}
                          value={l.strikeKind}
                          disabled={readOnly}
                          onChange={(e) => set(i, { strikeKind: e.target.value as LegDraft["strikeKind"] })}
                        >
                          <option value="ATM">ATM</option>
                          <option value="ITM">ITM n</option>
                          <option value="OTM">OTM n</option>
                          <option value="exact">Exact strike</option>
                          <option value="premium_near">Premium near ₹</option>
                        </Select>
                        {l.strikeKind === "ITM" || l.strikeKind === "OTM" ? (
                          <div className="w-14 shrink-0">
                            <Input
                              aria-label={`Leg ${n} strikes away`}
                              inputMode="numeric"
                              value={l.strikeN}
                              disabled={readOnly}
                              onChange={(e) => set(i, { strikeN: e.target.value })}
                            />
                          </div>
                        ) : l.strikeKind === "exact" ? (
                          <div className="w-24 shrink-0">
                            <Input
                              aria-label={`Leg ${n} strike price`}
                              inputMode="decimal"
                              placeholder="26000"
                              value={l.strike}
                              disabled={readOnly}
                              onChange={(e) => set(i, { strike: e.target.value })}
                            />
                          </div>
                        ) : l.strikeKind === "premium_near" ? (
                          <div className="w-20 shrink-0">
                            <Input
                              aria-label={`Leg ${n} target premium`}
                              inputMode="decimal"
                              placeholder="₹ / unit"
                              value={l.premium}
                              disabled={readOnly}
                              onChange={(e) => set(i, { premium: e.target.value })}
                            />
                          </div>
                        ) : null}
                      </div>
                    ) : (
                      <span className="text-xs text-slate-400">—</span>
                    )}
                  </td>
                  <td className="py-1 pr-2">
                    <div className="w-16 shrink-0">
                      <Input
                        aria-label={`Leg ${n} lots`}
                        inputMode="numeric"
                        value={l.lots}
                        disabled={readOnly}
                        onChange={(e) => set(i, { lots: e.target.value })}
                      />
                    </div>
                  </td>
                  <td className="py-1 pr-2">
                    <div className="flex items-center gap-1">
                      <Select
                        aria-label={`Leg ${n} order type`}
                        value={l.orderKind}
                        disabled={readOnly}
                        onChange={(e) => set(i, { orderKind: e.target.value as LegDraft["orderKind"] })}
                      >
                        <option value="PROTECTED_LIMIT">Protected LIMIT</option>
                        <option value="LIMIT">LIMIT</option>
                        <option value="MARKET">MARKET</option>
                      </Select>
                      {l.orderKind === "LIMIT" ? (
                        <div className="w-20 shrink-0">
                          <Input
                            aria-label={`Leg ${n} limit price`}
                            inputMode="decimal"
                            placeholder="₹"
                            value={l.price}
                            disabled={readOnly}
                            onChange={(e) => set(i, { price: e.target.value })}
                          />
                        </div>
                      ) : l.orderKind === "PROTECTED_LIMIT" ? (
                        <span className="flex items-center gap-0.5 text-xs text-slate-500">
                          ±
                          <div className="w-14 shrink-0">
                            <Input
                              aria-label={`Leg ${n} band percent`}
                              inputMode="decimal"
                              value={l.band}
                              disabled={readOnly}
                              onChange={(e) => set(i, { band: e.target.value })}
                            />
                          </div>
                          %
                        </span>
                      ) : null}
                    </div>
                    {err ? (
                      <p className="mt-0.5 max-w-72 text-xs text-rose-600 dark:text-rose-400" data-testid="leg-error">
                        {err.join(" ")}
                      </p>
                    ) : null}
                  </td>
                  {riskErrors ? (
                    <td className="space-y-1 py-1 pr-2">
                      <LevelInput
                        label={`Leg ${n} stop-loss`}
                        prefix="SL"
                        of="leg"
                        level={l.stopLoss}
                        readOnly={readOnly}
                        error={errorsAt(riskErrors, `leg.${indexBase + i}.stopLoss`)}
                        onChange={(stopLoss) => set(i, { stopLoss })}
                      />
                      <LevelInput
                        label={`Leg ${n} take-profit`}
                        prefix="TP"
                        of="leg"
                        level={l.takeProfit}
                        readOnly={readOnly}
                        error={errorsAt(riskErrors, `leg.${indexBase + i}.takeProfit`)}
                        onChange={(takeProfit) => set(i, { takeProfit })}
                      />
                    </td>
                  ) : null}
                  <td className="py-1 text-right">
                    {!readOnly && legs.length > 1 ? (
                      <Button
                        type="button"
                        variant="ghost"
                        aria-label={`Remove leg ${n}`}
                        onClick={() => onChange(legs.filter((_, j) => j !== i))}
                      >
                        ✕
                      </Button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {!readOnly ? (
        <Button
          type="button"
          variant="secondary"
          onClick={() =>
            onChange([
              ...legs,
              newLeg(last ? { underlying: last.underlying, expiry: last.expiry, lots: last.lots } : {}),
            ])
          }
        >
          + Add leg
        </Button>
      ) : null}
    </div>
  );
}
