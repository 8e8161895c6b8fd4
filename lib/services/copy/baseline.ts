/**
 * Where copying starts (docs/copy-trading.md "Where copying starts"): the master's order book and positions at that
 * moment are recorded as the group's baseline: every order in the book as `baseline` (never copied), every open
 * position as held by the master alone (`uncopiedQty`). The engine compares later reads of the books with these rows.
 */
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import {
  findCopyGroupMaster,
  insertCopyBaseline,
  lockCopyGroup,
  updateCopyGroupRow,
  type BaselineOrder,
  type BaselinePosition,
} from "@/lib/db/queries/copy-groups";
import { inTransaction, type Tx } from "@/lib/db/transaction";
import type { BrokerAdapter, Order } from "@/lib/brokers/types";
import { AppError, ConflictError, NotFoundError, RateLimitedError } from "@/lib/errors";
import { adapterFor, type AccountConnection } from "@/lib/services/broker-access";
import { needsTradeFills, withTradeFills } from "@/lib/trading/order-fills";

/** What the master held when copying started, read consistently (see `readMasterSnapshot`). */
export interface MasterSnapshot {
  /** Taken just before the first read: an order placed after it is new, one in the book is baseline. */
  at: Date;
  orders: BaselineOrder[];
  positions: BaselinePosition[];
}

/** Reads of the books tried before giving up on a master whose book keeps changing under the reads. */
const SNAPSHOT_ATTEMPTS = 3;

function baselineOrder(o: Order): BaselineOrder {
  const limit = o.priceType === "LIMIT" || o.priceType === "SL";
  const triggered = o.priceType === "SL" || o.priceType === "SL-M";
  return {
    masterOrderId: o.orderId,
    symbol: o.symbol,
    exchange: o.exchange,
    action: o.action,
    product: o.product,
    priceType: o.priceType,
    price: limit ? o.price : null,
    triggerPrice: triggered ? o.triggerPrice : null,
    quantity: o.quantity,
    filledQty: o.filledQuantity,
    status: o.status,
  };
}

/** Orders with their fills, the trade book supplying them where the order rows carry none (live OpenAlgo). */
async function readOrders(adapter: BrokerAdapter): Promise<BaselineOrder[]> {
  const orders = await adapter.orders();
  const filled = needsTradeFills(orders) ? withTradeFills(orders, await adapter.trades()) : orders;
  return filled.map(baselineOrder);
}

const fingerprint = (orders: readonly BaselineOrder[]) =>
  orders
    .map((o) => `${o.masterOrderId}:${o.status}:${o.filledQty}`)
    .sort()
    .join(",");

/**
 * The master's orders and non-zero positions, read as orders → positions → orders again: when the two order reads
 * agree (same orders, statuses and fills), no fill landed between them, so the positions match the orders' fills and
 * no fill is counted twice or lost by the engine that continues from here. A master trading through every attempt is
 * refused (409): the person tries again a moment later.
 */
export async function readMasterSnapshot(account: AccountConnection, now: () => Date = () => new Date()) {
  try {
    // Inside: an address the host policy refuses or a key that cannot be decrypted is a master that cannot be read.
    const adapter = adapterFor(account);
    for (let attempt = 1; attempt <= SNAPSHOT_ATTEMPTS; attempt += 1) {
      const at = now();
      const before = await readOrders(adapter);
      const positions = (await adapter.positions())
        .filter((p) => p.quantity !== 0)
        .map((p) => ({ exchange: p.exchange, symbol: p.symbol, product: p.product, qty: p.quantity }));
      const after = await readOrders(adapter);
      if (fingerprint(before) === fingerprint(after)) return { at, orders: after, positions } as MasterSnapshot;
    }
  } catch (e) {
    // Our own rate governor asking to wait is no answer about the master: let the person retry as told.
    if (!(e instanceof AppError) || e instanceof RateLimitedError) throw e;
    throw new ConflictError(
      `Copying cannot start: the master account ${account.name} could not be read (${e.message}). Nothing was saved.`,
      { masterAccountId: ["Could not be read"] },
    );
  }
  throw new ConflictError(
    `Copying cannot start: the master account ${account.name} kept trading while its books were read. Nothing was saved; try again.`,
    { masterAccountId: ["Book kept changing"] },
  );
}

/** Stores a snapshot as the group's baseline and its start time, in the caller's transaction. */
export async function recordBaseline(groupId: string, snapshot: MasterSnapshot, tx: Tx) {
  const counts = await insertCopyBaseline(groupId, snapshot.orders, snapshot.positions, tx);
  await updateCopyGroupRow(groupId, { startedAt: snapshot.at }, tx);
  return counts;
}

/**
 * (Re)starts copying of an existing group from the master's books as they are now: orders and contracts not yet
 * recorded become baseline, and `startedAt` moves to now. Idempotent: rows the group has already recorded are kept
 * (they are the engine's own count). Creation records the baseline in its own transaction (manage.ts); a paused group
 * is still scanned, so resuming needs none, except after a kill switch, which re-bases it (manage.ts).
 */
export async function startCopying(groupId: string): Promise<{ orders: number; positions: number }> {
  const group = await findCopyGroupMaster(groupId);
  if (!group) throw new NotFoundError("Copy group");
  const account = await loadAccountSecret(group.masterAccountId);
  if (!account) throw new NotFoundError("Master account");
  const snapshot = await readMasterSnapshot(account);
  return inTransaction(async (tx) => {
    if (!(await lockCopyGroup(groupId, tx))) throw new NotFoundError("Copy group");
    return recordBaseline(groupId, snapshot, tx);
  });
}
