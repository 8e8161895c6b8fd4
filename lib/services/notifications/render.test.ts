import { describe, expect, it } from "vitest";
import { contractLabel, fillsMessage, foldLines, MAX_LINES, rejectionsMessage, type RunFacts } from "./render";

const intent = (over: Partial<RunFacts["intents"][number]> & { accountId: string }): RunFacts["intents"][number] => ({
  account: { name: `acct ${over.accountId}` },
  legIndex: 0,
  symbol: "NIFTY30DEC2624500CE",
  action: "SELL",
  quantity: 75,
  filledQuantity: 75,
  averagePrice: "123.40",
  state: "filled",
  reason: null,
  ...over,
});

describe("message text", () => {
  it("names contracts as a trader reads them", () => {
    expect(contractLabel("NIFTY30DEC2624500CE")).toBe("NIFTY 24500 CE 30 Dec");
    expect(contractLabel("BANKNIFTY30DEC26FUT")).toBe("BANKNIFTY FUT 30 Dec");
    expect(contractLabel("SBIN")).toBe("SBIN");
  });

  it("summarises a 50-account fill as one message: the count, the quantity each and the price range", () => {
    const intents = Array.from({ length: 50 }, (_, k) =>
      intent({ accountId: String(k).padStart(2, "0"), averagePrice: k === 7 ? "123.60" : "123.40" }),
    );
    const m = fillsMessage({ kind: "STRATEGY", strategy: { name: "Short call" }, intents });
    expect(m).toEqual({
      title: 'Filled: "Short call" — 50 accounts',
      body: "NIFTY 24500 CE 30 Dec SELL 75 each, avg ₹123.40–₹123.60 (50 accounts)",
    });
  });

  it("adds slices up per account, weighs the average price by quantity and says what is still partly filled", () => {
    const m = fillsMessage({
      kind: "EXIT",
      strategy: null,
      intents: [
        intent({ accountId: "1", quantity: 1755, filledQuantity: 1755, averagePrice: "100" }),
        intent({ accountId: "1", quantity: 65, filledQuantity: 65, averagePrice: "127" }),
        intent({ accountId: "2", quantity: 1820, filledQuantity: 650, averagePrice: "101", state: "partially_filled" }),
        intent({ accountId: "2", legIndex: 1, symbol: "NIFTY30DEC2624000PE", action: "BUY", averagePrice: null }),
      ],
    });
    expect(m?.title).toBe("Filled: Exit — acct 1, acct 2");
    expect(m?.body.split("\n")).toEqual([
      // acct 1: (1755 × 100 + 65 × 127) / 1820 = 100.96…; acct 2: 101.
      "NIFTY 24500 CE 30 Dec SELL 650–1,820 per account, avg ₹100.96–₹101.00 (2 accounts)",
      "NIFTY 24000 PE 30 Dec BUY 75, price not reported yet in acct 2",
      "1 account(s) partly filled so far.",
    ]);
  });

  it("lists rejections with the broker's reason, grouped, and nothing when nothing was rejected", () => {
    const m = rejectionsMessage({
      kind: "STRATEGY",
      strategy: { name: "Straddle" },
      intents: [
        intent({ accountId: "1", state: "rejected", filledQuantity: 0, reason: "RMS:Margin Exceeds" }),
        intent({ accountId: "2", state: "rejected", filledQuantity: 0, reason: "RMS:Margin Exceeds" }),
        intent({ accountId: "3", state: "rejected_late", filledQuantity: 0, reason: "Market closed" }),
        intent({ accountId: "4" }),
      ],
    });
    expect(m?.title).toBe('Rejected: "Straddle" — acct 1, acct 2, acct 3');
    expect(m?.body.split("\n")).toEqual([
      "NIFTY 24500 CE 30 Dec SELL 75: RMS:Margin Exceeds — acct 1, acct 2",
      "NIFTY 24500 CE 30 Dec SELL 75: Market closed (after acceptance) — acct 3",
    ]);
    expect(rejectionsMessage({ kind: "TICKET", strategy: null, intents: [intent({ accountId: "1" })] })).toBeNull();
  });

  it("folds other events into one list, counting past the line limit", () => {
    let m = { title: "acct A disconnected", body: "3 health checks failed", events: 1 };
    for (let k = 2; k <= MAX_LINES + 5; k++)
      m = { ...foldLines(m, { title: `acct ${k} disconnected`, body: "x" }), events: k };
    const lines = m.body.split("\n");
    expect(m.title).toBe(`acct A disconnected (+${MAX_LINES + 4} more)`);
    expect(lines[0]).toBe("acct A disconnected: 3 health checks failed");
    expect(lines).toHaveLength(MAX_LINES + 1);
    expect(lines.at(-1)).toBe("…and 5 more");
  });
});
