"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { ApiError } from "@/components/ui/api";
import { Input, Select, cx } from "@/components/ui/primitives";
import { TRADING_SETTINGS_KEY } from "@/components/settings/types";

/**
 * Save-per-row state for the settings tables: busy flag, the API's message and per-field errors (cleared on the
 * next save), and a short "saved" confirmation. Reloads the shared settings query after a successful write.
 */
export function useRowSave() {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [saved, setSaved] = useState(false);

  async function run(send: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    setFields({});
    setSaved(false);
    try {
      await send();
      setSaved(true);
      await qc.invalidateQueries({ queryKey: TRADING_SETTINGS_KEY });
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Cannot reach the server.");
      setFields(e instanceof ApiError ? (e.fields ?? {}) : {});
      return false;
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, fields, saved, run, clearSaved: () => setSaved(false) };
}

/** A table cell with an input and its field error underneath. */
export function Cell({ error, children, className }: { error?: string[]; children: ReactNode; className?: string }) {
  return (
    <td className={cx("py-1 pr-2 align-top", className)}>
      {children}
      {error?.length ? (
        <p className="mt-0.5 max-w-40 text-xs text-rose-600 dark:text-rose-400">{error.join(" ")}</p>
      ) : null}
    </td>
  );
}

export function NumberInput({
  label,
  value,
  onChange,
  width = "w-24",
  disabled,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  width?: string;
  disabled?: boolean;
}) {
  return (
    <div className={width}>
      <Input
        aria-label={label}
        inputMode="decimal"
        className="num text-right"
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

export function Choice({
  label,
  value,
  options,
  onChange,
  disabled,
}: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
  disabled?: boolean;
}) {
  return (
    <Select aria-label={label} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
      {options.map(([v, text]) => (
        <option key={v} value={v}>
          {text}
        </option>
      ))}
    </Select>
  );
}

/** Save button + row status (saved / error message). */
export function RowStatus({
  state,
  onSave,
  label = "Save",
  disabled,
}: {
  state: ReturnType<typeof useRowSave>;
  onSave: () => void;
  label?: string;
  disabled?: boolean;
}) {
  return (
    <td className="py-1 pr-2 text-right align-top whitespace-nowrap">
      <button
        type="button"
        onClick={onSave}
        disabled={state.busy || disabled}
        className="rounded-md bg-indigo-600 px-2.5 py-1 text-xs font-medium text-white enabled:hover:bg-indigo-500 disabled:cursor-not-allowed disabled:bg-slate-200 disabled:text-slate-500 dark:disabled:bg-slate-800"
      >
        {state.busy ? "Saving…" : label}
      </button>
      {state.saved ? (
        <div role="status" className="mt-0.5 text-xs text-emerald-600">
          saved
        </div>
      ) : null}
      {state.error ? (
        <div role="alert" className="mt-0.5 max-w-48 text-xs whitespace-normal text-rose-600">
          {state.error}
        </div>
      ) : null}
    </td>
  );
}
