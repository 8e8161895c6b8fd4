/**
 * Ledger vs broker: MirrorDesk's ledger holds what its own fills opened; the broker holds what is really open. A
 * contract that the ledger still holds (net across its scopes) but that the broker reports flat — no row, or a zero
 * net quantity — was closed outside MirrorDesk (at the broker's terminal, by the broker's square-off, by an RMS
 * action). Those ledger rows are shown as such and carry no unrealised P&L. A broker whose positions could not be
 * read proves nothing: its rows stay as they are. A broker position that is smaller but not flat is not flagged
 * (it may hold trades of other tools as well); only "flat at the broker" is certain.
 */
export interface LedgerContract {
  accountId: string;
  exchange: string;
  symbol: string;
  product: string;
  netQty: number;
}

export interface BrokerContract {
  exchange: string;
  symbol: string;
  product: string;
  quantity: number;
}

export const contractKey = (accountId: string, c: { exchange: string; symbol: string; product: string }) =>
  `${accountId}|${c.exchange.toUpperCase()}|${c.symbol.toUpperCase()}|${c.product.toUpperCase()}`;

/** Contract keys (`contractKey`) the ledger holds open and the broker reports flat. */
export function closedOutside(
  ledger: readonly LedgerContract[],
  broker: ReadonlyMap<string, readonly BrokerContract[] | null>,
): Set<string> {
  const held = new Map<string, number>();
  for (const row of ledger) {
    const k = contractKey(row.accountId, row);
    held.set(k, (held.get(k) ?? 0) + row.netQty);
  }
  const brokerNet = new Map<string, number>();
  for (const [accountId, rows] of broker) {
    for (const p of rows ?? []) {
      const k = contractKey(accountId, p);
      brokerNet.set(k, (brokerNet.get(k) ?? 0) + p.quantity);
    }
  }
  const out = new Set<string>();
  for (const [k, net] of held) {
    const accountId = k.slice(0, k.indexOf("|"));
    const known = broker.get(accountId);
    if (net !== 0 && known !== undefined && known !== null && (brokerNet.get(k) ?? 0) === 0) out.add(k);
  }
  return out;
}
