/**
 * The kill switch told to the owners it covers (docs/notifications.md "What is told"): one's own switch to its owner,
 * the global one to every owner with an active account. Enqueueing never throws, so the switch never waits on it.
 */
import { accountOwnerIds, listActiveAccountIds } from "@/lib/db/queries/accounts";
import { log } from "@/lib/log";
import { enqueueNotification } from "@/lib/queues/notifications";

export async function notifyKillSwitch(
  owner: string | null,
  engaged: boolean,
  at: Date,
  reason: string | null = null,
): Promise<void> {
  try {
    const owners = owner ? [owner] : [...new Set((await accountOwnerIds(await listActiveAccountIds(null))).values())];
    // One's own switch is engaged by its owner only; the global one and every re-arm by an admin.
    const scope = owner ? "for your accounts" : "for every account by an admin";
    const body = engaged
      ? `Engaged ${scope}${reason ? ` (${reason})` : ""}: positions are being flattened and new entries are blocked until an admin re-arms it.`
      : `Re-armed${owner ? " for your accounts" : " for every account"} by an admin: new entries are allowed again.`;
    await Promise.all(
      owners.map((ownerId) =>
        enqueueNotification({
          ownerId,
          kind: "KILL_SWITCH",
          title: engaged ? "Kill switch engaged" : "Kill switch re-armed",
          body,
          batchKey: "kill-switch",
          severity: engaged ? "CRITICAL" : "INFO",
          at: at.toISOString(),
        }),
      ),
    );
  } catch (err) {
    log().warn({ err }, "kill-switch notifications not enqueued");
  }
}
