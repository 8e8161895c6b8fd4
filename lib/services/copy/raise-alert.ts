/** How the copy engine raises an alert (docs/copy-trading.md "Alerts and automatic pauses"). */
import { raiseAlert } from "@/lib/db/queries/alerts";
import { inTransaction, type Tx } from "@/lib/db/transaction";
import type { AlertSeverity } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { publishUserEvent } from "@/lib/realtime/user-events";
import type { RejectionCause } from "@/lib/trading/rejection-cause";

export interface CopyAlert {
  ownerId: string;
  accountId: string;
  kind: "copy_rejected" | "copy_drift" | "copy_limit" | "copy_child_paused";
  severity: AlertSeverity;
  message: string;
  /** Why the broker refused, when it did (lib/trading/rejection-cause.ts): the alert's title names it. */
  cause?: RejectionCause;
}

/** Raises an alert (one open per owner, account and kind) inside `work`'s transaction, then tells open pages. */
export async function raiseCopyAlert(a: CopyAlert, work?: (tx: Tx) => Promise<unknown>): Promise<void> {
  const alert = await inTransaction(async (tx) => {
    await work?.(tx);
    return raiseAlert(tx, a);
  });
  await publishUserEvent(a.ownerId, {
    type: "alert",
    alertId: alert.id,
    accountId: a.accountId,
    change: "raised",
    at: new Date().toISOString(),
  }).catch((err) => log().warn({ err }, "copy alert event not published"));
}
