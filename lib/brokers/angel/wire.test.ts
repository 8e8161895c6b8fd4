import { describe, expect, it } from "vitest";
import { streamUrls } from "./wire";

describe("streamUrls", () => {
  it("sends Angel's API hosts to Angel's own stream hosts", () => {
    for (const host of ["https://apiconnect.angelone.in", "https://apiconnect.angelbroking.com/"])
      expect(streamUrls(host)).toEqual({
        marketData: "wss://smartapisocket.angelone.in/smart-stream",
        orders: "wss://tns.angelone.in/smart-order-update",
      });
  });

  it("keeps every other host URL's own host, scheme security and path prefix", () => {
    expect(streamUrls("http://127.0.0.1:5140/angel/")).toEqual({
      marketData: "ws://127.0.0.1:5140/angel/smart-stream",
      orders: "ws://127.0.0.1:5140/angel/smart-order-update",
    });
    expect(streamUrls("https://proxy.example.com/angel?x=1").marketData).toBe(
      "wss://proxy.example.com/angel/smart-stream",
    );
    // A look-alike host is not Angel's: its streams stay on that host.
    expect(streamUrls("https://apiconnect.angelone.in.example.com").orders).toBe(
      "wss://apiconnect.angelone.in.example.com/smart-order-update",
    );
  });
});
