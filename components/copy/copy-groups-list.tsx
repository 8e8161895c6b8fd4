"use client";

import Link from "next/link";
import { useState } from "react";
import { Badge, Button, Card, EmptyState, PageHeader, Table } from "@/components/ui/primitives";
import { useAccounts } from "@/components/accounts/use-account-funds";
import { CopyGroupForm } from "@/components/copy/copy-group-form";
import { LastEvent, StateChip } from "@/components/copy/group-state";
import { useCopyGroups } from "@/components/copy/use-copy";

const th = "py-1.5 pr-3";
/** Columns shown from md up; on a phone their key facts are folded under the name. */
const wide = "hidden py-1.5 pr-3 md:table-cell";

/** Every copy group with its master, children, mode, state and last event; "New copy group" opens the form. */
export function CopyGroupsList({ canWrite, userId }: { canWrite: boolean; userId: string }) {
  const groups = useCopyGroups();
  const accounts = useAccounts();
  const [creating, setCreating] = useState(false);
  // A group's accounts are all its owner's: the form offers only the user's own active accounts.
  const own = (accounts.data?.accounts ?? []).filter((a) => a.ownerId === userId && a.active);
  const list = groups.data?.groups ?? [];

  return (
    <>
      <PageHeader
        title="Copy groups"
        description="Trade in a master account anywhere; every child follows, scaled by its multiplier."
        actions={
          canWrite && !creating ? (
            <Button className="whitespace-nowrap" onClick={() => setCreating(true)}>
              New copy group
            </Button>
          ) : null
        }
      />
      {creating ? (
        <div className="mb-4">
          {accounts.isSuccess && own.length < 2 ? (
            <EmptyState title="A copy group needs two accounts">
              Link a master and at least one child account on the Accounts page first.
            </EmptyState>
          ) : (
            <CopyGroupForm accounts={own} onCancel={() => setCreating(false)} />
          )}
        </div>
      ) : null}
      {groups.isError ? (
        <p className="text-sm text-rose-600">Copy groups could not be loaded: {groups.error.message}</p>
      ) : null}
      {groups.isPending ? <p className="text-sm text-slate-500">Loading…</p> : null}
      {!groups.isSuccess ? null : list.length === 0 ? (
        creating ? null : (
          <EmptyState title="No copy groups yet">
            {canWrite
              ? "Create one with New copy group: pick the master you trade in and the children that follow it."
              : "Your role is read-only: copy groups of the traders an admin attached you to appear here."}
          </EmptyState>
        )
      ) : (
        <Card title={`${list.length} copy group${list.length === 1 ? "" : "s"}`}>
          <Table
            head={
              <tr>
                <th className={th}>Name</th>
                <th className={wide}>Master</th>
                <th className={wide}>Children</th>
                <th className={wide}>Mode</th>
                <th className={th}>State</th>
                <th className={wide}>Last event</th>
              </tr>
            }
          >
            {list.map((g) => {
              const active = g.children.filter((c) => c.enabled).length;
              return (
                <tr key={g.id} data-testid={`copy-group-${g.name}`} className="align-top">
                  <td className="py-1.5 pr-3">
                    <Link
                      href={`/copy/${g.id}`}
                      className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {g.name}
                    </Link>
                    <div className="mt-1 space-y-1 text-xs text-slate-500 md:hidden">
                      <div>
                        {g.masterAccountName} → {g.children.length} child{g.children.length === 1 ? "" : "ren"} ·{" "}
                        {g.mode.toLowerCase()}
                      </div>
                      <LastEvent event={g.lastEvent} />
                    </div>
                  </td>
                  <td className={wide}>{g.masterAccountName}</td>
                  <td className={`${wide} text-xs`}>
                    <span className="tabular-nums">{g.children.length}</span>
                    {active < g.children.length ? (
                      <span className="ml-1 text-amber-700 dark:text-amber-300">({active} active)</span>
                    ) : null}
                    <div className="text-slate-500">{g.children.map((c) => c.accountName).join(", ")}</div>
                  </td>
                  <td className={wide}>
                    <Badge tone={g.mode === "FILLS" ? "blue" : "slate"}>{g.mode.toLowerCase()}</Badge>
                  </td>
                  <td className="py-1.5 pr-3">
                    <StateChip enabled={g.enabled} pausedReason={g.pausedReason} />
                  </td>
                  <td className={`${wide} text-xs`}>
                    <LastEvent event={g.lastEvent} />
                  </td>
                </tr>
              );
            })}
          </Table>
        </Card>
      )}
    </>
  );
}
