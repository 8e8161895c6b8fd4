import { describe, expect, it } from "vitest";
import { KITE_API_ROOT } from "./account";
import { KITE_TICKER_ROOT, kiteTickerUrl } from "./ticker-url";

describe("kiteTickerUrl", () => {
  it("sends an account on Kite's real API root to Kite's ticker host", () => {
    expect(kiteTickerUrl(KITE_API_ROOT, "key1", "tok/1+")).toBe(
      `${KITE_TICKER_ROOT}/?api_key=key1&access_token=tok%2F1%2B`,
    );
    expect(kiteTickerUrl(`${KITE_API_ROOT}/`, "k", "t")).toBe("wss://ws.kite.trade/?api_key=k&access_token=t");
  });

  it("keeps every other account on its own host URL, path included, with the scheme's WebSocket twin", () => {
    expect(kiteTickerUrl("http://127.0.0.1:5110/kite", "k", "t")).toBe(
      "ws://127.0.0.1:5110/kite/?api_key=k&access_token=t",
    );
    expect(kiteTickerUrl("https://proxy.example.com/kite/", "k", "t")).toBe(
      "wss://proxy.example.com/kite/?api_key=k&access_token=t",
    );
    // A look-alike of Kite's host is not Kite: its credentials stay with it.
    expect(kiteTickerUrl("https://api.kite.trade.example.com", "k", "t")).toBe(
      "wss://api.kite.trade.example.com/?api_key=k&access_token=t",
    );
    expect(kiteTickerUrl("http://api.kite.trade", "k", "t")).toBe("ws://api.kite.trade/?api_key=k&access_token=t");
  });

  it("refuses a host URL that is not http(s)", () => {
    expect(() => kiteTickerUrl("ftp://example.com", "k", "t")).toThrow();
  });
});
