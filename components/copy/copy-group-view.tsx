"use client";

import Link from "next/link";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { ApiError } from "@/components/ui/api";
import { Badge, Button, Card, EmptyState } from "@/components/ui/primitives";
import { ChildrenTable } from "@/components/copy/children-table";
import { CopyLog } from "@/components/copy/copy-log";
import { DriftBoard } from "@/components/copy/drift-board";
import { MODE_HELP } from "@/components/copy/copy-format";
import { StateChip } from "@/components/copy/group-state";
import { GroupSettingsForm } from "@/components/copy/group-settings-form";
import { PauseControl } from "@/components/copy/pause-control";
import { copyApi, useCopyAction, useCopyGroup } from "@/components/copy/use-copy";
import { formatDateTime } from "@/lib/format";
import type { CopyGroupJson } from "@/lib/services/copy";

/** One copy group: its header (master, mode, state, filters), children, live copy log and drift board. */
export function CopyGroupView({ groupId, canWrite }: { groupId: string; canWrite: boolean }) {
  const group = useCopyGroup(groupId);
  if (group.isPending) return <p className="text-sm text-slate-500">Loading…</p>;
  if (group.isError)
    return group.error instanceof ApiError && group.error.status === 404 ? (
      <EmptyState title="Copy group not found">
        It was deleted, or it is not yours.{" "}
        <Link href="/copy" className="text-indigo-700 hover:underline">
          All copy groups
        </Link>
      </EmptyState>
    ) : (
      <p className="text-sm text-rose-600">Copy group could not be loaded: {group.error.message}</p>
    );
  const g = group.data;
  return (
    <div className="space-y-4">
      <GroupHeader group={g} canWrite={canWrite} />
      <ChildrenTable group={g} canWrite={canWrite} />
      <DriftBoard groupId={g.id} canWrite={canWrite} paused={!g.enabled} />
      <CopyLog groupId={g.id} />
    </div>
  );
}

const list = (xs: string[], none: string) => (xs.length ? xs.join(", ") : none);

function GroupHeader({ group: g, canWrite }: { group: CopyGroupJson; canWrite: boolean }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const pause = useCopyAction((reason: string) => copyApi.pauseGroup(g.id, reason));
  const resume = useCopyAction(() => copyApi.resumeGroup(g.id));
  const remove = useCopyAction(() => copyApi.deleteGroup(g.id));
  const failure = pause.error ?? resume.error ?? remove.error;
  return (
    <Card>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <div className="text-xs text-slate-500">
            <Link href="/copy" className="hover:underline">
              Copy groups
            </Link>{" "}
            /
          </div>
          <h1 className="text-lg font-semibold break-words">{g.name}</h1>
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span>
              master{" "}
              <span className="font-medium" data-testid="copy-master">
                {g.masterAccountName}
              </span>
            </span>
            <Badge tone={g.mode === "FILLS" ? "blue" : "slate"}>copies {g.mode.toLowerCase()}</Badge>
            <span data-testid="group-state">
              <StateChip enabled={g.enabled} pausedReason={g.pausedReason} />
            </span>
          </div>
          <p className="text-xs text-slate-500">{MODE_HELP[g.mode]}</p>
          <p className="text-xs text-slate-500">
            {list(g.exchanges, "every exchange")} · {list(g.products, "every product")} · allow{" "}
            {list(g.allowSymbols, "all")}
            {g.denySymbols.length ? ` · deny ${g.denySymbols.join(", ")}` : ""} · opens{" "}
            {g.windowStart || g.windowEnd ? `${g.windowStart ?? "open"}–${g.windowEnd ?? "close"} IST` : "all session"}{" "}
            · copying since {formatDateTime(g.startedAt)}
          </p>
        </div>
        {canWrite ? (
          <div className="flex flex-wrap items-center gap-2">
            <PauseControl
              enabled={g.enabled}
              label="group"
              busy={pause.isPending || resume.isPending}
              onPause={(reason) => pause.mutate(reason)}
              onResume={() => resume.mutate(undefined)}
              error={failure?.message}
            />
            {editing ? null : (
              <Button variant="ghost" onClick={() => setEditing(true)}>
                Edit settings
              </Button>
            )}
            {confirming ? (
              <>
                <Button
                  variant="danger"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(undefined, { onSuccess: () => router.push("/copy") })}
                >
                  Delete group
                </Button>
                <Button variant="ghost" onClick={() => setConfirming(false)}>
                  Keep
                </Button>
              </>
            ) : (
              <Button variant="ghost" onClick={() => setConfirming(true)}>
                Delete…
              </Button>
            )}
          </div>
        ) : null}
      </div>
      {editing ? <GroupSettingsForm group={g} onDone={() => setEditing(false)} /> : null}
    </Card>
  );
}
