/**
 * One detection pass of a group (docs/copy-trading.md "Detection"): read the master's books, diff them against the
 * records (lib/trading/copy/detect.ts) and record every change in ONE transaction that holds the group's row lock:
 * the master orders' compare-and-set, their events and, for FILL events, the group's count of the master position and
 * each child's planned share (sized against the children's exposure as that transaction sees it, pending events
 * included, so a burst is never sized twice against the same exposure). The transaction takes a fixed handful of
 * statements whatever the number of changes: the sizing runs in memory between them.
 */
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { listRecordedMasterOrders, masterIntentFacts, type ScanGroup } from "@/lib/db/queries/copy-engine";
import { insertCopyEvents, lockCopyGroup, type NewCopyEvent } from "@/lib/db/queries/copy-events";
import {
  casMasterOrders,
  findPlaceEvents,
  lockCopyPositions,
  updateCopyPositions,
  type CopyPositionRow,
} from "@/lib/db/queries/copy-master";
import { inSqlTransaction } from "@/lib/db/transaction";
import { adapterFor } from "@/lib/services/broker-access";
import { istMinuteOfDay } from "@/lib/trading/calendar";
import { detectChanges, needsTradeBook, type MasterChange } from "@/lib/trading/copy/detect";
import { copyFilterVerdict } from "@/lib/trading/copy/filters";
import { applyUncopiedFill, isLimitCut, sizeFill } from "@/lib/trading/copy/sizing";
import { copyContractKey, type ContractSizes, type CopyContract } from "@/lib/trading/copy/types";
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

const contractOf = (o: CopyContract): CopyContract => ({ symbol: o.symbol, exchange: o.exchange, product: o.product });

/** Reads the master's books and records what changed. Throws when the books cannot be read (nothing recorded). */
export async function detectAndRecord(group: ScanGroup, source: ScanSource): Promise<DetectionResult> {
  const account = await loadAccountSecret(group.masterAccountId);
  if (!account) return { recorded: 0, events: 0, held: 0 };
  const adapter = adapterFor(account);
  const now = Date.now();
  // The book first, our intents after: an intent is `sending` before its order can be in any book, so every order of
  // ours in this book is then known (own, or held while unresolved). Read the other way round, an order placed
  // between the two reads would look typed by hand and be copied.
  const orders = await adapter.orders();
  const facts = await masterIntentFacts(group.masterAccountId, new Date(bookDayStart(now)));
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
  const [sizes, adjust] =
    fills.length > 0
      ? await Promise.all([
          contractSizesFor(
            group,
            adapter,
            fills.map((f) => f.order),
          ),
          exitAdjustments(group),
        ])
      : [new Map<string, ContractSizes>(), null];
  const istMinutes = istMinuteOfDay(now);
  let written = 0;
  let eventCount = 0;
  const cuts: { accountId: string; symbol: string; reason: string }[] = [];
  await inSqlTransaction(async (tx) => {
    if (!(await lockCopyGroup(tx, group.id))) return;
    // Exposure as this transaction sees it (pending events included), kept current as events are sized below.
    const book: ExposureBook | null = adjust ? await exposureBook(group.id, adjust, tx) : null;
    const won = await casMasterOrders(
      tx,
      group.id,
      records.map((change) => ({
        prev: change.prev,
        next: {
          ...change.next,
          masterOrderId: change.order.orderId,
          symbol: change.order.symbol,
          exchange: change.order.exchange,
          action: change.order.action,
          product: change.order.product,
        },
        events: change.events.length,
      })),
    );
    const mine = records.filter((change) => won.has(change.order.orderId));
    written = mine.length;
    // The master's positions in the filled contracts, locked once and moved in memory, written back once.
    const positions = new Map<string, CopyPositionRow>();
    const ordersFilled = mine.filter((c) => countsOrderFills(group, c));
    const filled = mine
      .filter((c) => c.uncopiedFill !== 0 || c.events.some((e) => e.kind === "FILL" && e.skipped === undefined))
      .concat(ordersFilled)
      .map((c) => contractOf(c.order));
    for (const p of await lockCopyPositions(tx, group.id, filled)) positions.set(copyContractKey(p), p);
    const places = await findPlaceEvents(
      tx,
      group.id,
      ordersFilled.filter((c) => c.prev !== null).map((c) => c.order.orderId),
    );
    const drafts: NewCopyEvent[] = [];
    for (const change of mine) {
      const o = change.order;
      const contract = contractOf(o);
      const position = positions.get(copyContractKey(contract));
      // A fill of an order never copied (own, baseline, filtered) moves the master count and its uncopied part.
      if (change.uncopiedFill !== 0) Object.assign(position!, applyUncopiedFill(position!, change.uncopiedFill));
      // ORDERS mode: the master's fills of a followed order move the group's count (never copied as fills).
      const counted =
        position && countsOrderFills(group, change)
          ? countOrderFills(position, change, places.get(o.orderId) ?? null, group.enabled)
          : null;
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
          // Refused by the filters: logged with the reason, never copied (its fills counted as uncopied above).
          event.status = "SKIPPED";
          event.reason = e.skipped;
        } else if (e.kind === "FILL" && position) {
          const lot = sizes.get(copyContractKey(contract)) ?? null;
          const window = copyFilterVerdict(group.filters, contract, { opening: true, istMinutes });
          const opening = !group.enabled
            ? { copy: false, reason: GROUP_PAUSED }
            : { copy: window === null, reason: window };
          const exposures =
            book && lot
              ? group.children.map((rule) => ({ rule, exposure: book.exposure(rule.accountId, contract) }))
              : [];
          const sizing = sizeFill(
            { action: e.action, quantity: e.quantity },
            position,
            exposures,
            lot ?? { lotSize: 1, freezeQty: null },
            opening,
          );
          event.masterBefore = position.masterQty;
          event.masterAfter = sizing.after.masterQty;
          Object.assign(position, sizing.after);
          if (group.enabled && lot === null) {
            event.status = "FAILED";
            event.reason = `lot size of ${o.symbol} unknown`;
          } else if (group.enabled) {
            // With each child's exposure as sized: the hand-on checks a combined order against it.
            event.children = sizing.orders.map((c, k) => ({ ...c, held: exposures[k].exposure }));
            for (const c of sizing.orders) {
              book?.add(c.accountId, contract, c.action === "BUY" ? c.quantity : -c.quantity);
              if (isLimitCut(c.reason)) cuts.push({ accountId: c.accountId, symbol: o.symbol, reason: c.reason! });
            }
          }
        }
        drafts.push(event);
      }
    }
    await updateCopyPositions(tx, group.id, [...positions.values()]);
    eventCount = (await insertCopyEvents(tx, drafts)).length;
  });
  await alertLimitCuts(group, cuts);
  return { recorded: written, events: eventCount, held };
}

/** ORDERS mode: whether the change fills more of a followed master order (the group counts those fills). */
const countsOrderFills = (group: ScanGroup, c: Extract<MasterChange, { kind: "record" }>) =>
  group.mode === "ORDERS" && c.next.ignoredReason === null && c.next.filledQty > (c.prev?.filledQty ?? 0);

/**
 * ORDERS mode: counts the master's newly filled units of a followed order in the group's position (the drift board's
 * master position), in memory under the recording's lock. They are copied units when the order's PLACE reached the
 * children (or is on its way); an order placed while the group was paused, or with no PLACE (dead on first sight),
 * adds to `uncopiedQty`. `place`: the order's PLACE event recorded before. Returns the master position before and
 * after, for the change's events.
 */
function countOrderFills(
  position: CopyPositionRow,
  change: Extract<MasterChange, { kind: "record" }>,
  place: { status: string; reason: string | null } | null,
  enabled: boolean,
): { before: number; after: number } {
  const before = position.masterQty;
  const delta = change.next.filledQty - (change.prev?.filledQty ?? 0);
  const placed =
    change.prev === null
      ? change.events.some((e) => e.kind === "PLACE")
        ? { status: enabled ? "PENDING" : "SKIPPED", reason: enabled ? null : GROUP_PAUSED }
        : null
      : place;
  const copied = placed !== null && !(placed.status === "SKIPPED" && placed.reason === GROUP_PAUSED);
  const { after } = sizeFill({ action: change.order.action, quantity: delta }, position, [], UNIT_SIZES, {
    copy: copied,
    reason: null,
  });
  Object.assign(position, after);
  return { before, after: after.masterQty };
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
