import { describe, expect, it } from "vitest";
import { FYERS_ORDER_SOCKET_PATH, fyersStreamUrl, isFyersApiHost } from "./stream-url";

describe("fyersStreamUrl", () => {
  it("sends Fyers' own API root to Fyers' socket host", () => {
    expect(fyersStreamUrl("https://api-t1.fyers.in", FYERS_ORDER_SOCKET_PATH)).toBe("wss://socket.fyers.in/trade/v3");
    expect(fyersStreamUrl("https://api-t1.fyers.in/", FYERS_ORDER_SOCKET_PATH)).toBe("wss://socket.fyers.in/trade/v3");
  });

  it("serves any other root's streams under that root, never on Fyers' host", () => {
    expect(fyersStreamUrl("http://127.0.0.1:5150/fyers", FYERS_ORDER_SOCKET_PATH)).toBe(
      "ws://127.0.0.1:5150/fyers/trade/v3",
    );
    expect(fyersStreamUrl("https://proxy.example/fyers/?x=1", FYERS_ORDER_SOCKET_PATH)).toBe(
      "wss://proxy.example/fyers/trade/v3",
    );
    // Look-alike hosts and plain HTTP to Fyers' name are not Fyers' root: the token stays on the account's host.
    expect(fyersStreamUrl("https://api-t1.fyers.in.evil.example", FYERS_ORDER_SOCKET_PATH)).toBe(
      "wss://api-t1.fyers.in.evil.example/trade/v3",
    );
    expect(isFyersApiHost("http://api-t1.fyers.in")).toBe(false);
    expect(isFyersApiHost("https://api-t1.fyers.in:8443")).toBe(false);
  });
});
