/**
 * One detection pass of a group (docs/copy-trading.md "Detection"): read the master's books, diff them against the
 * records (lib/trading/copy/detect.ts) and record every change in ONE transaction that holds the group's row lock:
 * the master order's compare-and-set, its events and, for FILL events, the group's count of the master position and
 * each child's planned share (sized against the children's exposure as that transaction sees it, pending events
 * included, so a burst is never sized twice against the same exposure).
 */
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { listRecordedMasterOrders, masterIntentFacts, type ScanGroup } from "@/lib/db/queries/copy-engine";
import {
  casMasterOrder,
  findPlaceEvent,
  insertCopyEvents,
  lockCopyGroup,
  lockCopyPosition,
  updateCopyPosition,
  type NewCopyEvent,
} from "@/lib/db/queries/copy-events";
import { inSqlTransaction, type SqlTx } from "@/lib/db/transaction";
import { adapterFor } from "@/lib/services/broker-access";
import { istMinuteOfDay } from "@/lib/trading/calendar";
import { detectChanges, needsTradeBook, type MasterChange } from "@/lib/trading/copy/detect";
import { copyFilterVerdict } from "@/lib/trading/copy/filters";
import { isLimitCut, sizeFill } from "@/lib/trading/copy/sizing";
import { copyContractKey, type CopyContract } from "@/lib/trading/copy/types";
import { bookDayStart } from "@/lib/trading/fills";
import { contractSizesFor, exitAdjustments, exposureBook, type ExposureBook } from "./exposure";
import { raiseCopyAlert } from "./raise-alert";
import { log } from "@/lib/log";

/** Broker timestamps have second resolution and the broker's clock may run behind ours, ms. */
export const MASTER_CLOCK_SKEW_MS = 1_000;

export type ScanSource = "stream" | "poll" | "manual";

/** The reason on events recorded while the group is paused. */
const GROUP_PAUSED = "group paused";
/** Counting the master's units needs no lot size. */
const UNIT_SIZES = { lotSize: 1, freezeQty: null };

export interface DetectionResult {
  recorded: number;
  events: number;
  held: number;
}

/** Reads the master's books and records what changed. Throws when the books cannot be read (nothing recorded). */
export async function detectAndRecord(group: ScanGroup, source: ScanSource): Promise<DetectionResult> {
  const account = await loadAccountSecret(group.masterAccountId);
  if (!account) return { recorded: 0, events: 0, held: 0 };
  const adapter = adapterFor(account);
  const now = Date.now();
  const [orders, facts] = await Promise.all([
    adapter.orders(),
    masterIntentFacts(group.masterAccountId, new Date(bookDayStart(now))),
  ]);
  const recorded = await listRecordedMasterOrders(
    group.id,
    orders.map((o) => o.orderId),
  );
  let tradeFilled: Map<string, number> | null = null;
  if (needsTradeBook(group.mode, orders, recorded)) {
    tradeFilled = new Map();
    for (const t of await adapter.trades()) tradeFilled.set(t.orderId, (tradeFilled.get(t.orderId) ?? 0) + t.quantity);
  }
  const changes = detectChanges({
    mode: group.mode,
    filters: group.filters,
    startedAt: group.startedAt.getTime(),
    orders,
    tradeFilled,
    recorded,
    ownOrderIds: facts.ownOrderIds,
    unresolved: facts.unresolved,
    clockSkewMs: MASTER_CLOCK_SKEW_MS,
  });
  const records = changes.filter((c): c is Extract<MasterChange, { kind: "record" }> => c.kind === "record");
  const held = changes.length - records.length;
  if (records.length === 0) return { recorded: 0, events: 0, held };
  const fills = records.filter((r) => r.events.some((e) => e.kind === "FILL" && e.skipped === undefined));
  const sizes =
    fills.length > 0
      ? await contractSizesFor(
          group,
          adapter,
          fills.map((f) => f.order),
        )
      : new Map();
  const adjust = fills.length > 0 ? await exitAdjustments(group) : null;
  const istMinutes = istMinuteOfDay(now);
  let written = 0;
  let eventCount = 0;
  const cuts: { accountId: string; symbol: string; reason: string }[] = [];
  await inSqlTransaction(async (tx) => {
    if (!(await lockCopyGroup(tx, group.id))) return;
    // Exposure as this transaction sees it (pending events included), kept current as events are sized below.
    const book: ExposureBook | null = adjust ? await exposureBook(group.id, adjust, tx) : null;
    for (const change of records) {
      const o = change.order;
      if (
        !(await casMasterOrder(
          tx,
          group.id,
          change.prev,
          {
            ...change.next,
            masterOrderId: o.orderId,
            symbol: o.symbol,
            exchange: o.exchange,
            action: o.action,
            product: o.product,
          },
          change.events.length,
        ))
      )
        continue;
      written += 1;
      const contract: CopyContract = { symbol: o.symbol, exchange: o.exchange, product: o.product };
      // ORDERS mode: the master's fills of a followed order move the group's count (never copied as fills).
      const counted =
        group.mode === "ORDERS" && change.next.ignoredReason === null
          ? await countOrderFills(tx, group.id, change, contract, group.enabled)
          : null;
      const drafts: NewCopyEvent[] = [];
      for (const [i, e] of change.events.entries()) {
        const event: NewCopyEvent = {
          ...contract,
          groupId: group.id,
          masterOrderId: o.orderId,
          seq: (change.prev?.seq ?? 0) + i + 1,
          kind: e.kind,
          action: e.action,
          quantity: e.quantity,
          priceType: e.priceType,
          price: e.price,
          triggerPrice: e.triggerPrice,
          orderQuantity: e.kind === "FILL" ? o.quantity : null,
          masterBefore: counted?.before ?? null,
          masterAfter: counted?.after ?? null,
          source: source === "manual" ? "poll" : source,
          masterAt: o.placedAt,
          status: group.enabled ? "PENDING" : "SKIPPED",
          reason: group.enabled ? null : GROUP_PAUSED,
          children: [],
          requestedBy: null,
        };
        if (e.skipped !== undefined) {
          // Refused by the filters: logged with the reason, never copied, not counted in the group's positions.
          event.status = "SKIPPED";
          event.reason = e.skipped;
        } else if (e.kind === "FILL") {
          const before = await lockCopyPosition(tx, group.id, contract);
          const lot = sizes.get(copyContractKey(contract)) ?? null;
          const window = copyFilterVerdict(group.filters, contract, { opening: true, istMinutes });
          const opening = !group.enabled
            ? { copy: false, reason: GROUP_PAUSED }
            : { copy: window === null, reason: window };
          const sizing = sizeFill(
            { action: e.action, quantity: e.quantity },
            before,
            book && lot
              ? group.children.map((rule) => ({ rule, exposure: book.exposure(rule.accountId, contract) }))
              : [],
            lot ?? { lotSize: 1, freezeQty: null },
            opening,
          );
          await updateCopyPosition(tx, group.id, contract, sizing.after);
          event.masterBefore = before.masterQty;
          event.masterAfter = sizing.after.masterQty;
          if (group.enabled && lot === null) {
            event.status = "FAILED";
            event.reason = `lot size of ${o.symbol} unknown`;
          } else if (group.enabled) {
            event.children = sizing.orders;
            for (const c of sizing.orders) {
              book?.add(c.accountId, contract, c.action === "BUY" ? c.quantity : -c.quantity);
              if (isLimitCut(c.reason)) cuts.push({ accountId: c.accountId, symbol: o.symbol, reason: c.reason! });
            }
          }
        }
        drafts.push(event);
      }
      eventCount += (await insertCopyEvents(tx, drafts)).length;
    }
  });
  await alertLimitCuts(group, cuts);
  return { recorded: written, events: eventCount, held };
}

/**
 * ORDERS mode: counts the master's newly filled units of a followed order in the group's position (the drift board's
 * master position), in the recording transaction. They are copied units when the order's PLACE reached the children
 * (or is on its way); an order placed while the group was paused, or with no PLACE (dead on first sight), adds to
 * `uncopiedQty`. Returns the master position before and after, for the change's events.
 */
async function countOrderFills(
  tx: SqlTx,
  groupId: string,
  change: Extract<MasterChange, { kind: "record" }>,
  contract: CopyContract,
  enabled: boolean,
): Promise<{ before: number; after: number }> {
  const before = await lockCopyPosition(tx, groupId, contract);
  const delta = change.next.filledQty - (change.prev?.filledQty ?? 0);
  if (delta <= 0) return { before: before.masterQty, after: before.masterQty };
  const place =
    change.prev === null
      ? change.events.some((e) => e.kind === "PLACE")
        ? { status: enabled ? "PENDING" : "SKIPPED", reason: enabled ? null : GROUP_PAUSED }
        : null
      : await findPlaceEvent(tx, groupId, change.order.orderId);
  const copied = place !== null && !(place.status === "SKIPPED" && place.reason === GROUP_PAUSED);
  const { after } = sizeFill({ action: change.order.action, quantity: delta }, before, [], UNIT_SIZES, {
    copy: copied,
    reason: null,
  });
  await updateCopyPosition(tx, groupId, contract, after);
  return { before: before.masterQty, after: after.masterQty };
}

/** `copy_limit`: a limit cut a child's copy (after the recording committed; at most one open alert per child). */
async function alertLimitCuts(
  group: ScanGroup,
  cuts: readonly { accountId: string; symbol: string; reason: string }[],
) {
  const names = new Map(group.children.map((c) => [c.accountId, c.accountName]));
  for (const c of cuts)
    await raiseCopyAlert({
      ownerId: group.ownerId,
      accountId: c.accountId,
      kind: "copy_limit",
      severity: "INFO",
      message: `A copy of ${c.symbol} into ${names.get(c.accountId) ?? "a child"} was ${c.reason}: the child holds less than its share.`,
    }).catch((err) => log().warn({ err, groupId: group.id }, "copy limit alert not raised"));
}
