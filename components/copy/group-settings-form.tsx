"use client";

import { useState } from "react";
import { ApiError, api } from "@/components/ui/api";
import { Alert, Button, Field, Input } from "@/components/ui/primitives";
import { FilterFields, filterBody, type FilterDraft } from "@/components/copy/filter-fields";
import { useCopyAction } from "@/components/copy/use-copy";
import type { CopyGroupJson } from "@/lib/services/copy";

const draftOf = (g: CopyGroupJson): FilterDraft => ({
  exchanges: g.exchanges,
  products: g.products,
  allowSymbols: g.allowSymbols.join(", "),
  denySymbols: g.denySymbols.join(", "),
  windowStart: g.windowStart ?? "",
  windowEnd: g.windowEnd ?? "",
});

/**
 * A group's name, filters and opening window (PATCH /api/copy-groups/<id>); the master and the mode are fixed once
 * made. Field errors from the API are shown at their fields.
 */
export function GroupSettingsForm({ group, onDone }: { group: CopyGroupJson; onDone: () => void }) {
  const [name, setName] = useState(group.name);
  const [filters, setFilters] = useState<FilterDraft>(() => draftOf(group));
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const save = useCopyAction(() =>
    api(`/api/copy-groups/${group.id}`, {
      method: "PATCH",
      body: {
        name: name.trim(),
        ...filterBody(filters),
      },
    }),
  );

  return (
    <form
      aria-label="Copy group settings"
      className="mt-3 space-y-3 border-t border-slate-200 pt-3 dark:border-slate-800"
      onSubmit={(e) => {
        e.preventDefault();
        setFields({});
        save.mutate(undefined, {
          onSuccess: onDone,
          onError: (err) => setFields(err instanceof ApiError && err.fields ? err.fields : {}),
        });
      }}
    >
      {save.error ? <Alert>{save.error.message}</Alert> : null}
      <div className="max-w-md">
        <Field label="Name" htmlFor="copy-settings-name" error={fields.name}>
          <Input id="copy-settings-name" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} />
        </Field>
      </div>
      <FilterFields draft={filters} onChange={(p) => setFilters((f) => ({ ...f, ...p }))} fields={fields} />
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save settings"}
        </Button>
        <Button type="button" variant="secondary" onClick={onDone} disabled={save.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
