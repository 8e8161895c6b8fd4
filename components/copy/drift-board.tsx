"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { Badge, Button, Card, cx } from "@/components/ui/primitives";
import { signedLots, signedQty } from "@/components/copy/copy-format";
import { copyApi, useCopyAction, useDriftBoard } from "@/components/copy/use-copy";
import { formatQty, formatTimeIst } from "@/lib/format";
import type { DriftRowJson } from "@/lib/services/copy";

type ChildDrift = DriftRowJson["children"][number];
/** Reads of drift with nothing working after which a sync is taken to have sent nothing (about 10 s). */
const IDLE_READS = 10;
/** A sync asked for one child in one contract: its run, and whether its orders were seen working since. */
interface Syncing {
  runId: string | null;
  sawWorking: boolean;
  /** Board reads since the sync was asked for, while the child still showed drift and nothing working. */
  idleReads: number;
  error?: string;
}

const STATE_TONE = { ok: "green", working: "blue", drift: "red" } as const;
const STATE_LABEL = { ok: "at parity", working: "working", drift: "drift" } as const;
const contractKey = (r: DriftRowJson) => `${r.exchange}|${r.symbol}|${r.product}`;
/** Phone: name and state on one line, the four numbers under it; from md up one row of six columns. */
const grid =
  "grid grid-cols-4 items-center gap-x-2 gap-y-0.5 py-1 md:grid-cols-[minmax(8rem,2fr)_repeat(4,minmax(3rem,1fr))_minmax(9rem,2fr)]";
const num = "text-right tabular-nums md:order-none";
const small = "mr-1 text-[11px] text-slate-500 md:hidden";

/**
 * The drift board: per contract the master's position (and the part the children never had, and in ORDERS mode its
 * copied orders still working), and per child its share, its broker-confirmed position, its working copy orders and
 * the difference. "Sync now" sends a SYNC event for one drifted child and follows it until the child is at parity;
 * a paused group syncs nothing, so it offers none and says why.
 */
export function DriftBoard({ groupId, canWrite, paused }: { groupId: string; canWrite: boolean; paused: boolean }) {
  const [syncing, setSyncing] = useState<Record<string, Syncing>>({});
  const board = useDriftBoard(
    groupId,
    Object.values(syncing).some((s) => !s.error),
  );
  const rows = board.data?.rows ?? [];

  // Follow each sync on the board: parity ends it; drift again after its orders worked means it did not get there.
  useEffect(() => {
    if (!board.data) return;
    setSyncing((cur) => {
      let changed = false;
      const next: Record<string, Syncing> = {};
      for (const [key, s] of Object.entries(cur)) {
        const [contract, accountId] = [key.slice(0, key.lastIndexOf("|")), key.slice(key.lastIndexOf("|") + 1)];
        const child = board.data.rows
          .find((r) => contractKey(r) === contract)
          ?.children.find((c) => c.accountId === accountId);
        if (!child || child.state === "ok") {
          changed = true;
          continue;
        }
        if (child.state === "working" && !s.sawWorking) {
          next[key] = { ...s, sawWorking: true };
          changed = true;
        } else if (child.state === "drift" && !s.error && (s.sawWorking || s.idleReads >= IDLE_READS)) {
          next[key] = { ...s, error: "still drifting after the sync: see the copy log" };
          changed = true;
        } else if (child.state === "drift" && !s.error) {
          next[key] = { ...s, idleReads: s.idleReads + 1 };
          changed = true;
        } else next[key] = s;
      }
      return changed ? next : cur;
    });
  }, [board.data]);

  return (
    <Card
      title="Drift board"
      actions={
        <span className="text-xs text-slate-500">
          {board.data ? `as of ${formatTimeIst(board.data.at)}` : "loading…"}
        </span>
      }
    >
      {board.isError ? (
        <p className="text-sm text-rose-600">Drift board could not be loaded: {board.error.message}</p>
      ) : null}
      {paused && rows.length > 0 ? (
        <p className="mb-2 text-xs text-slate-500" data-testid="drift-paused">
          Copying is paused: nothing is synced until the group is resumed. A group paused by the kill switch is re-based
          on the master&apos;s positions when it is resumed.
        </p>
      ) : null}
      {board.isSuccess && rows.length === 0 ? (
        <p className="text-sm text-slate-500">No positions in this group: the master holds nothing copied.</p>
      ) : null}
      <div className="grid gap-3 lg:grid-cols-2 2xl:grid-cols-3" data-testid="drift-board">
        {rows.map((r) => (
          <section
            key={contractKey(r)}
            data-testid={`drift-${r.symbol}`}
            className="rounded-md ring-1 ring-slate-200 dark:ring-slate-800"
          >
            <header className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5 border-b border-slate-200 px-3 py-1.5 text-sm dark:border-slate-800">
              <span className="font-medium">{r.symbol}</span>
              <span className="text-xs text-slate-500">
                {r.exchange} · {r.product}
                {r.lotSize ? ` · lot ${formatQty(r.lotSize)}` : ""}
              </span>
              <span className="text-xs">
                master <span className="font-medium tabular-nums">{signedQty(r.masterQty)}</span>
                {signedLots(r.masterQty, r.lotSize) ? (
                  <span className="text-slate-500 tabular-nums"> ({signedLots(r.masterQty, r.lotSize)})</span>
                ) : null}
                {r.uncopiedQty ? <span className="text-slate-500"> (uncopied {signedQty(r.uncopiedQty)})</span> : null}
                {r.masterWorkingQty ? (
                  <span
                    className="text-indigo-700 dark:text-indigo-300"
                    title="The master's copied orders still working"
                  >
                    {" "}
                    · working {signedQty(r.masterWorkingQty)}
                  </span>
                ) : null}
              </span>
            </header>
            <div className="px-3 py-1 text-sm" role="table" aria-label={`${r.symbol} drift`}>
              <div role="row" className={`${grid} hidden text-xs text-slate-500 md:grid`}>
                <span role="columnheader">Child</span>
                <span role="columnheader" className="text-right">
                  Expected
                </span>
                <span role="columnheader" className="text-right">
                  Actual
                </span>
                <span role="columnheader" className="text-right">
                  Working
                </span>
                <span role="columnheader" className="text-right">
                  Drift
                </span>
                <span role="columnheader">State</span>
              </div>
              {r.children.map((c) => (
                <ChildDriftRow
                  key={c.accountId}
                  groupId={groupId}
                  row={r}
                  child={c}
                  canWrite={canWrite && !paused}
                  syncing={syncing[`${contractKey(r)}|${c.accountId}`]}
                  onSync={(s) => setSyncing((cur) => ({ ...cur, [`${contractKey(r)}|${c.accountId}`]: s }))}
                />
              ))}
            </div>
          </section>
        ))}
      </div>
    </Card>
  );
}

function ChildDriftRow({
  groupId,
  row,
  child: c,
  canWrite,
  syncing,
  onSync,
}: {
  groupId: string;
  row: DriftRowJson;
  child: ChildDrift;
  canWrite: boolean;
  syncing: Syncing | undefined;
  onSync: (s: Syncing) => void;
}) {
  const sync = useCopyAction(() =>
    copyApi.sync(groupId, { accountId: c.accountId, symbol: row.symbol, exchange: row.exchange, product: row.product }),
  );
  const inFlight = sync.isPending || (syncing && !syncing.error);
  return (
    <div role="row" data-testid={`drift-child-${c.accountName}`} data-state={c.state} className={grid}>
      <span role="cell" className="order-1 col-span-2 truncate md:order-none md:col-span-1" title={c.accountName}>
        {c.accountName}
      </span>
      <span role="cell" className={`${num} order-3`}>
        <span className={small}>exp</span>
        {signedQty(c.expectedQty)}
        <Lots n={c.expectedQty} lotSize={row.lotSize} />
      </span>
      <span role="cell" className={`${num} order-4`}>
        <span className={small}>act</span>
        {signedQty(c.actualQty)}
        <Lots n={c.actualQty} lotSize={row.lotSize} />
      </span>
      <span role="cell" className={`${num} order-5 text-indigo-700 dark:text-indigo-300`}>
        <span className={small}>work</span>
        {c.workingQty ? signedQty(c.workingQty) : "—"}
        <Lots n={c.workingQty} lotSize={row.lotSize} />
      </span>
      <span
        role="cell"
        className={cx(`${num} order-6 font-medium`, c.driftQty !== 0 && "text-rose-700 dark:text-rose-400")}
      >
        <span className={small}>drift</span>
        {signedQty(c.driftQty)}
        <Lots n={c.driftQty} lotSize={row.lotSize} />
      </span>
      <span
        role="cell"
        className="order-2 col-span-2 flex flex-wrap items-center justify-end gap-1.5 md:order-last md:col-span-1 md:justify-start"
      >
        <Badge tone={STATE_TONE[c.state]}>{STATE_LABEL[c.state]}</Badge>
        {inFlight ? (
          <span className="text-xs text-indigo-700 dark:text-indigo-300" role="status">
            syncing…
            {syncing?.runId ? (
              <Link href={`/executions/${syncing.runId}`} className="ml-1 hover:underline">
                run
              </Link>
            ) : null}
          </span>
        ) : null}
        {canWrite && c.state === "drift" && !inFlight ? (
          <Button
            variant="secondary"
            className="px-2 py-0.5 text-xs"
            aria-label={`Sync ${c.accountName} in ${row.symbol}`}
            onClick={() =>
              sync.mutate(undefined, {
                onSuccess: (r) => onSync({ runId: r.runId, sawWorking: false, idleReads: 0 }),
              })
            }
          >
            Sync now
          </Button>
        ) : null}
        {sync.error ? <span className="text-xs text-rose-600">{sync.error.message}</span> : null}
        {syncing?.error && c.state === "drift" ? (
          <span className="text-xs text-amber-700 dark:text-amber-300">{syncing.error}</span>
        ) : null}
      </span>
    </div>
  );
}

/** The units in lots under the figure, where the lot size is known. */
function Lots({ n, lotSize }: { n: number; lotSize: number | null }) {
  const lots = signedLots(n, lotSize);
  return lots ? <span className="block text-[11px] font-normal text-slate-500">{lots}</span> : null;
}
