"use client";

import { useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Button, Field, Select } from "@/components/ui/primitives";
import { ChildFields, childBody, emptyChild, type ChildDraft } from "@/components/copy/child-fields";
import { useCopyAction } from "@/components/copy/use-copy";
import type { AccountJson } from "@/lib/services/accounts";

/**
 * Adds a child (an account picked from `choices`) or changes one (`initial` given): PUT
 * /api/copy-groups/<id>/children/<account>. Field errors from the API are shown at their fields.
 */
export function ChildEditor({
  groupId,
  initial,
  choices,
  onDone,
}: {
  groupId: string;
  initial?: ChildDraft & { accountName: string };
  choices?: AccountJson[];
  onDone: () => void;
}) {
  const [d, setD] = useState<ChildDraft>(initial ?? emptyChild());
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const save = useCopyAction((draft: ChildDraft) =>
    api(`/api/copy-groups/${groupId}/children/${draft.accountId}`, { method: "PUT", body: childBody(draft) }),
  );
  const label = initial ? initial.accountName : "New child";
  const idPrefix = `child-edit-${initial?.accountId ?? "new"}`;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setFields({});
    if (!d.accountId) {
      setFields({ accountId: ["Choose an account"] });
      return;
    }
    save.mutate(d, {
      onSuccess: onDone,
      onError: (err) => setFields(err instanceof ApiError && err.fields ? err.fields : {}),
    });
  }

  return (
    <form
      onSubmit={submit}
      aria-label={initial ? `Edit ${initial.accountName}` : "Add child"}
      className="space-y-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-950 dark:ring-slate-800"
    >
      {save.error ? <Alert>{save.error.message}</Alert> : null}
      <div className="grid grid-cols-2 items-start gap-2 sm:grid-cols-4 lg:grid-cols-7">
        {initial ? null : (
          <div className="col-span-2 sm:col-span-4 lg:col-span-1">
            <Field label="Account" htmlFor={`${idPrefix}-account`} error={fields.accountId}>
              <Select
                id={`${idPrefix}-account`}
                className="w-full"
                value={d.accountId}
                onChange={(e) => setD({ ...d, accountId: e.target.value })}
              >
                <option value="">Choose an account…</option>
                {(choices ?? []).map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </Select>
            </Field>
          </div>
        )}
        <ChildFields
          draft={d}
          onChange={(p) => setD((x) => ({ ...x, ...p }))}
          fields={fields}
          prefix=""
          idPrefix={idPrefix}
          label={label}
        />
      </div>
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : initial ? "Save child" : "Add child"}
        </Button>
        <Button type="button" variant="secondary" onClick={onDone} disabled={save.isPending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
