"use client";

import { Fragment, useState } from "react";
import { Badge, Button, Card } from "@/components/ui/primitives";
import { useAccounts } from "@/components/accounts/use-account-funds";
import { childDraftOf } from "@/components/copy/child-fields";
import { ChildEditor } from "@/components/copy/child-editor";
import { ROUNDING_LABEL } from "@/components/copy/copy-format";
import { StateChip } from "@/components/copy/group-state";
import { PauseControl } from "@/components/copy/pause-control";
import { copyApi, useCopyAction } from "@/components/copy/use-copy";
import type { CopyChildJson, CopyGroupJson } from "@/lib/services/copy";

const th = "py-1.5 pr-3 whitespace-nowrap";
/** From md up a table; on a phone each child stacks: name and state, its settings folded in one line, the actions. */
const td = "hidden py-1.5 pr-3 whitespace-nowrap md:table-cell";
const stack = "block py-0.5 pr-3 md:table-cell md:py-1.5";
const STATUS_TONE: Record<string, "green" | "amber" | "red" | "slate"> = {
  CONNECTED: "green",
  DEGRADED: "amber",
  FAILED: "red",
};

/** The group's children: settings, account health and state, with pause/resume, edit and remove per child. */
export function ChildrenTable({ group, canWrite }: { group: CopyGroupJson; canWrite: boolean }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const accounts = useAccounts();
  const taken = new Set([group.masterAccountId, ...group.children.map((c) => c.accountId)]);
  const choices = (accounts.data?.accounts ?? []).filter(
    (a) => a.ownerId === group.ownerId && a.active && !taken.has(a.id),
  );
  const cols = canWrite ? 8 : 7;

  return (
    <Card
      title={`Children (${group.children.length})`}
      actions={
        canWrite && !adding ? (
          <Button variant="secondary" onClick={() => setAdding(true)}>
            Add child
          </Button>
        ) : null
      }
    >
      {adding ? (
        <div className="mb-3">
          <ChildEditor groupId={group.id} choices={choices} onDone={() => setAdding(false)} />
        </div>
      ) : null}
      {group.children.length === 0 ? (
        <p className="text-sm text-slate-500">No children: nothing is copied until you add one.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="hidden border-b border-slate-200 text-xs text-slate-500 uppercase md:table-header-group dark:border-slate-800">
            <tr>
              <th className={th}>Account</th>
              <th className={`${th} text-right`}>Multiplier</th>
              <th className={th}>Rounding</th>
              <th className={th}>0 lots</th>
              <th className={th}>Limits (lots)</th>
              <th className={th}>Side</th>
              <th className={th}>State</th>
              {canWrite ? <th className={th} /> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {group.children.map((c) => (
              <Fragment key={c.accountId}>
                <ChildRow
                  groupId={group.id}
                  child={c}
                  canWrite={canWrite}
                  onEdit={() => setEditing(editing === c.accountId ? null : c.accountId)}
                />
                {editing === c.accountId ? (
                  <tr className="block md:table-row">
                    <td colSpan={cols} className="block py-2 md:table-cell">
                      <ChildEditor
                        groupId={group.id}
                        initial={{ ...childDraftOf(c), accountName: c.accountName }}
                        onDone={() => setEditing(null)}
                      />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function ChildRow({
  groupId,
  child: c,
  canWrite,
  onEdit,
}: {
  groupId: string;
  child: CopyChildJson;
  canWrite: boolean;
  onEdit: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const pause = useCopyAction((reason: string) => copyApi.pauseChild(groupId, c.accountId, reason));
  const resume = useCopyAction(() => copyApi.resumeChild(groupId, c.accountId));
  const remove = useCopyAction(() => copyApi.removeChild(groupId, c.accountId));
  const failure = pause.error ?? resume.error ?? remove.error;
  return (
    <tr data-testid={`child-${c.accountName}`} className="block py-1.5 align-top md:table-row md:py-0">
      <td className={stack}>
        <span className="mr-1.5 font-medium md:block">{c.accountName}</span>
        <Badge tone={STATUS_TONE[c.accountStatus] ?? "slate"}>{c.accountStatus.toLowerCase()}</Badge>
        <div className="text-xs text-slate-500 md:hidden">
          × {c.multiplier} · {ROUNDING_LABEL[c.rounding]} · 0 lots → {c.minOneLot ? "1 lot" : "skip"} ·{" "}
          {c.maxLotsPerOrder === null ? "no cap" : `${c.maxLotsPerOrder}/order`} ·{" "}
          {c.maxOpenLots === null ? "no open cap" : `${c.maxOpenLots} open`}
          {c.reverse ? " · reverse" : ""}
        </div>
      </td>
      <td className={`${td} text-right tabular-nums`}>× {c.multiplier}</td>
      <td className={td}>{ROUNDING_LABEL[c.rounding]}</td>
      <td className={td}>{c.minOneLot ? "1 lot" : "skip"}</td>
      <td className={`${td} text-xs`}>
        <div>{c.maxLotsPerOrder === null ? "no cap" : `${c.maxLotsPerOrder} / order`}</div>
        <div className="text-slate-500">{c.maxOpenLots === null ? "no open cap" : `${c.maxOpenLots} open`}</div>
      </td>
      <td className={td}>{c.reverse ? <Badge tone="amber">reverse</Badge> : "same"}</td>
      <td className={stack} data-testid="child-state">
        <StateChip enabled={c.enabled} pausedReason={c.pausedReason} />
      </td>
      {canWrite ? (
        <td className={stack}>
          <div className="flex flex-wrap items-center gap-1">
            <PauseControl
              enabled={c.enabled}
              label={c.accountName}
              busy={pause.isPending || resume.isPending}
              onPause={(reason) => pause.mutate(reason)}
              onResume={() => resume.mutate(undefined)}
              error={failure?.message}
            />
            <Button variant="ghost" onClick={onEdit} aria-label={`Edit ${c.accountName}`}>
              Edit
            </Button>
            {confirming ? (
              <>
                <Button
                  variant="danger"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(undefined)}
                  aria-label={`Confirm remove ${c.accountName}`}
                >
                  Remove
                </Button>
                <Button variant="ghost" onClick={() => setConfirming(false)}>
                  Keep
                </Button>
              </>
            ) : (
              <Button variant="ghost" onClick={() => setConfirming(true)} aria-label={`Remove ${c.accountName}`}>
                Remove
              </Button>
            )}
          </div>
        </td>
      ) : null}
    </tr>
  );
}
