"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Button, Card, Field, Input, Select } from "@/components/ui/primitives";
import { ChildFields, childBody, emptyChild, type ChildDraft } from "@/components/copy/child-fields";
import { FilterFields, defaultFilters, filterBody, type FilterDraft } from "@/components/copy/filter-fields";
import { MODE_HELP } from "@/components/copy/copy-format";
import { COPY_KEY } from "@/components/copy/use-copy";
import type { AccountJson } from "@/lib/services/accounts";
import type { CopyGroupJson, CopyModeName } from "@/lib/services/copy";

/**
 * "New copy group": name, master, mode, the children (each with its multiplier, rounding, limits and side) and the
 * filters. The API's field errors are shown at their fields (`children.1.multiplier` at the second child's
 * multiplier); a group made opens its page.
 */
export function CopyGroupForm({ accounts, onCancel }: { accounts: AccountJson[]; onCancel: () => void }) {
  const router = useRouter();
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [master, setMaster] = useState("");
  const [mode, setMode] = useState<CopyModeName>("FILLS");
  const [children, setChildren] = useState<ChildDraft[]>([emptyChild()]);
  const [filters, setFilters] = useState<FilterDraft>(defaultFilters);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const setChild = (i: number, patch: Partial<ChildDraft>) =>
    setChildren((cs) => cs.map((c, j) => (j === i ? { ...c, ...patch } : c)));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    try {
      const group = await api<CopyGroupJson>("/api/copy-groups", {
        body: {
          name: name.trim(),
          masterAccountId: master,
          mode,
          ...filterBody(filters),
          children: children.map((c) => ({ accountId: c.accountId, ...childBody(c) })),
        },
      });
      await qc.invalidateQueries({ queryKey: COPY_KEY });
      router.push(`/copy/${group.id}`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Cannot reach the server. Check your connection.");
      if (err instanceof ApiError && err.fields) setFields(err.fields);
      setBusy(false);
    }
  }

  const childErr = (i: number) => [...(fields[`children.${i}.accountId`] ?? []), ...(fields[`children.${i}`] ?? [])];
  return (
    <Card title="New copy group">
      <form onSubmit={submit} aria-label="Copy group form" className="space-y-4">
        {error ? <Alert>{error}</Alert> : null}
        <div className="grid gap-3 md:grid-cols-3">
          <Field label="Name" htmlFor="copy-name" error={fields.name}>
            <Input id="copy-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />
          </Field>
          <Field label="Master account" htmlFor="copy-master" error={fields.masterAccountId}>
            <Select id="copy-master" className="w-full" value={master} onChange={(e) => setMaster(e.target.value)}>
              <option value="">Choose the account you trade in…</option>
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </Select>
          </Field>
          <fieldset className="space-y-1">
            <legend className="text-xs font-medium text-slate-600 dark:text-slate-400">Mode</legend>
            {(["FILLS", "ORDERS"] as const).map((m) => (
              <label key={m} className="flex items-start gap-2 text-sm">
                <input
                  type="radio"
                  name="copy-mode"
                  className="mt-1"
                  checked={mode === m}
                  onChange={() => setMode(m)}
                  aria-label={m === "FILLS" ? "Copy fills" : "Copy orders"}
                />
                <span>
                  <span className="font-medium">{m === "FILLS" ? "Fills" : "Orders"}</span>
                  <span className="block text-xs text-slate-500">{MODE_HELP[m]}</span>
                </span>
              </label>
            ))}
            {fields.mode?.length ? <p className="text-xs text-rose-600">{fields.mode.join(" ")}</p> : null}
          </fieldset>
        </div>

        <section aria-label="Children" className="space-y-2">
          <h3 className="text-sm font-semibold">Children</h3>
          {fields.children?.length ? <p className="text-xs text-rose-600">{fields.children.join(" ")}</p> : null}
          {children.map((c, i) => (
            <div
              key={i}
              data-testid={`child-row-${i + 1}`}
              className="grid grid-cols-2 items-start gap-2 rounded-md p-2 ring-1 ring-slate-200 sm:grid-cols-4 lg:grid-cols-[minmax(10rem,2fr)_repeat(5,minmax(0,1fr))_auto_auto] dark:ring-slate-800"
            >
              <div className="col-span-2 sm:col-span-4 lg:col-span-1">
                <Field label={`Child ${i + 1} account`} htmlFor={`copy-child-${i}-account`} error={childErr(i)}>
                  <Select
                    id={`copy-child-${i}-account`}
                    className="w-full"
                    value={c.accountId}
                    onChange={(e) => setChild(i, { accountId: e.target.value })}
                  >
                    <option value="">Choose an account…</option>
                    {accounts
                      .filter((a) => a.id !== master)
                      .map((a) => (
                        <option key={a.id} value={a.id}>
                          {a.name}
                        </option>
                      ))}
                  </Select>
                </Field>
              </div>
              <ChildFields
                draft={c}
                onChange={(p) => setChild(i, p)}
                fields={fields}
                prefix={`children.${i}.`}
                idPrefix={`copy-child-${i}`}
                label={`Child ${i + 1}`}
              />
              <Button
                type="button"
                variant="ghost"
                className="self-start lg:mt-5"
                aria-label={`Remove child ${i + 1}`}
                disabled={children.length === 1}
                onClick={() => setChildren((cs) => cs.filter((_, j) => j !== i))}
              >
                <span aria-hidden>✕</span>
                <span className="lg:hidden">Remove</span>
              </Button>
            </div>
          ))}
          <Button type="button" variant="secondary" onClick={() => setChildren((cs) => [...cs, emptyChild()])}>
            Add child
          </Button>
        </section>

        <section aria-label="Filters" className="space-y-2">
          <h3 className="text-sm font-semibold">What is copied</h3>
          <FilterFields draft={filters} onChange={(p) => setFilters((f) => ({ ...f, ...p }))} fields={fields} />
        </section>

        <div className="flex gap-2">
          <Button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create copy group"}
          </Button>
          <Button type="button" variant="secondary" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}
