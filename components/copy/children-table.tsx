"use client";

import { Fragment, useState } from "react";
import { Badge, Button, Card, Table } from "@/components/ui/primitives";
import { useAccounts } from "@/components/accounts/use-account-funds";
import { childDraftOf } from "@/components/copy/child-fields";
import { ChildEditor } from "@/components/copy/child-editor";
import { ROUNDING_LABEL } from "@/components/copy/copy-format";
import { StateChip } from "@/components/copy/group-state";
import { PauseControl } from "@/components/copy/pause-control";
import { copyApi, useCopyAction } from "@/components/copy/use-copy";
import type { CopyChildJson, CopyGroupJson } from "@/lib/services/copy";

const th = "py-1.5 pr-3 whitespace-nowrap";
const td = "py-1.5 pr-3 whitespace-nowrap";
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
        <Table
          head={
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
          }
        >
          {group.children.map((c) => (
            <Fragment key={c.accountId}>
              <ChildRow
                groupId={group.id}
                child={c}
                canWrite={canWrite}
                onEdit={() => setEditing(editing === c.accountId ? null : c.accountId)}
              />
              {editing === c.accountId ? (
                <tr>
                  <td colSpan={cols} className="py-2">
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
        </Table>
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
    <tr data-testid={`child-${c.accountName}`} className="align-top">
      <td className={td}>
        <div className="font-medium">{c.accountName}</div>
        <Badge tone={STATUS_TONE[c.accountStatus] ?? "slate"}>{c.accountStatus.toLowerCase()}</Badge>
      </td>
      <td className={`${td} text-right tabular-nums`}>× {c.multiplier}</td>
      <td className={td}>{ROUNDING_LABEL[c.rounding]}</td>
      <td className={td}>{c.minOneLot ? "1 lot" : "skip"}</td>
      <td className={`${td} text-xs`}>
        <div>{c.maxLotsPerOrder === null ? "no cap" : `${c.maxLotsPerOrder} / order`}</div>
        <div className="text-slate-500">{c.maxOpenLots === null ? "no open cap" : `${c.maxOpenLots} open`}</div>
      </td>
      <td className={td}>{c.reverse ? <Badge tone="amber">reverse</Badge> : "same"}</td>
      <td className={td} data-testid="child-state">
        <StateChip enabled={c.enabled} pausedReason={c.pausedReason} />
      </td>
      {canWrite ? (
        <td className={`${td} space-x-1`}>
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
        </td>
      ) : null}
    </tr>
  );
}
