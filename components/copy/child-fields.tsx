"use client";

import { Field, Input, Select } from "@/components/ui/primitives";
import type { CopyChildJson, CopyRoundingName } from "@/lib/services/copy";

/** One child's settings as a form holds them (text as typed; the API checks and names a bad field). */
export interface ChildDraft {
  accountId: string;
  multiplier: string;
  rounding: CopyRoundingName;
  minOneLot: boolean;
  maxLotsPerOrder: string;
  maxOpenLots: string;
  reverse: boolean;
}

export const emptyChild = (accountId = ""): ChildDraft => ({
  accountId,
  multiplier: "1",
  rounding: "DOWN",
  minOneLot: false,
  maxLotsPerOrder: "",
  maxOpenLots: "",
  reverse: false,
});

export const childDraftOf = (c: CopyChildJson): ChildDraft => ({
  accountId: c.accountId,
  multiplier: c.multiplier,
  rounding: c.rounding,
  minOneLot: c.minOneLot,
  maxLotsPerOrder: c.maxLotsPerOrder === null ? "" : String(c.maxLotsPerOrder),
  maxOpenLots: c.maxOpenLots === null ? "" : String(c.maxOpenLots),
  reverse: c.reverse,
});

/** A typed whole number, blank = no cap; anything else is sent as typed so the API names the field. */
const limit = (s: string) => (s.trim() === "" ? null : /^\d+$/.test(s.trim()) ? Number(s.trim()) : s);

/** The child's settings as the API takes them (without the account id, which PUT carries in its path). */
export function childBody(d: ChildDraft) {
  return {
    multiplier: d.multiplier.trim(),
    rounding: d.rounding,
    minOneLot: d.minOneLot,
    maxLotsPerOrder: limit(d.maxLotsPerOrder),
    maxOpenLots: limit(d.maxOpenLots),
    reverse: d.reverse,
  };
}

/**
 * The settings of one child (multiplier, rounding, what 0 lots does, limits, reverse) as labelled fields. `prefix`
 * names the API's field keys (`children.0.` in the create form, empty for one child), `label` the child in the
 * fields' accessible names.
 */
export function ChildFields({
  draft,
  onChange,
  fields,
  prefix,
  idPrefix,
  label,
  disabled,
}: {
  draft: ChildDraft;
  onChange: (patch: Partial<ChildDraft>) => void;
  fields: Record<string, string[]>;
  prefix: string;
  idPrefix: string;
  label: string;
  disabled?: boolean;
}) {
  const id = (k: string) => `${idPrefix}-${k}`;
  const err = (k: string) => fields[prefix + k];
  return (
    <>
      <Field label="Multiplier" htmlFor={id("multiplier")} error={err("multiplier")}>
        <Input
          id={id("multiplier")}
          aria-label={`${label} multiplier`}
          inputMode="decimal"
          value={draft.multiplier}
          disabled={disabled}
          onChange={(e) => onChange({ multiplier: e.target.value })}
        />
      </Field>
      <Field label="Rounding" htmlFor={id("rounding")} error={err("rounding")}>
        <Select
          id={id("rounding")}
          aria-label={`${label} rounding`}
          className="w-full"
          value={draft.rounding}
          disabled={disabled}
          onChange={(e) => onChange({ rounding: e.target.value as CopyRoundingName })}
        >
          <option value="DOWN">Down</option>
          <option value="NEAREST">Nearest</option>
          <option value="UP">Up</option>
        </Select>
      </Field>
      <Field label="0 lots →" htmlFor={id("minOneLot")} error={err("minOneLot")}>
        <Select
          id={id("minOneLot")}
          aria-label={`${label} when 0 lots`}
          className="w-full"
          value={draft.minOneLot ? "one" : "skip"}
          disabled={disabled}
          onChange={(e) => onChange({ minOneLot: e.target.value === "one" })}
        >
          <option value="skip">skip</option>
          <option value="one">1 lot</option>
        </Select>
      </Field>
      <Field label="Max lots / order" htmlFor={id("maxLotsPerOrder")} error={err("maxLotsPerOrder")}>
        <Input
          id={id("maxLotsPerOrder")}
          aria-label={`${label} max lots per order`}
          inputMode="numeric"
          placeholder="no cap"
          value={draft.maxLotsPerOrder}
          disabled={disabled}
          onChange={(e) => onChange({ maxLotsPerOrder: e.target.value })}
        />
      </Field>
      <Field label="Max open lots" htmlFor={id("maxOpenLots")} error={err("maxOpenLots")}>
        <Input
          id={id("maxOpenLots")}
          aria-label={`${label} max open lots`}
          inputMode="numeric"
          placeholder="no cap"
          value={draft.maxOpenLots}
          disabled={disabled}
          onChange={(e) => onChange({ maxOpenLots: e.target.value })}
        />
      </Field>
      <label className="mt-5 flex h-8.5 items-center gap-1.5 self-start text-sm" title="Take the opposite side">
        <input
          type="checkbox"
          aria-label={`${label} reverse`}
          checked={draft.reverse}
          disabled={disabled}
          onChange={(e) => onChange({ reverse: e.target.checked })}
        />
        Reverse
      </label>
    </>
  );
}
