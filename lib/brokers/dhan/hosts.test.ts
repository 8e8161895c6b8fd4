/** Where each Dhan service, streams included, lives for an account's host URL. */
import { describe, expect, it } from "vitest";
import { dhanHosts, dhanStreamHosts } from "./hosts";

describe("dhanStreamHosts", () => {
  it("uses Dhan's own stream hosts for Dhan's API URL (and for a blank one)", () => {
    const real = { feed: "wss://api-feed.dhan.co", orders: "wss://api-order-update.dhan.co" };
    expect(dhanStreamHosts("https://api.dhan.co/v2")).toEqual(real);
    expect(dhanStreamHosts("https://api.dhan.co/v2/")).toEqual(real);
    expect(dhanStreamHosts("")).toEqual(real);
  });

  it("keeps any other host's streams on that host, under the API URL's root", () => {
    expect(dhanStreamHosts("http://127.0.0.1:5130/dhan/v2")).toEqual({
      feed: "ws://127.0.0.1:5130/dhan/feed",
      orders: "ws://127.0.0.1:5130/dhan/order-update",
    });
    expect(dhanStreamHosts("https://proxy.example.net/v2")).toEqual({
      feed: "wss://proxy.example.net/feed",
      orders: "wss://proxy.example.net/order-update",
    });
  });

  it("never sends a look-alike host to Dhan's streams", () => {
    expect(dhanStreamHosts("https://api.dhan.co.evil.example/v2").feed).toBe("wss://api.dhan.co.evil.example/feed");
    expect(dhanHosts("https://api.dhan.co.evil.example/v2").auth).toBe("https://api.dhan.co.evil.example/auth");
  });
});
