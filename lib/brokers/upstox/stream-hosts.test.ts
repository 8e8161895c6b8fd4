/** The one rule for where an Upstox stream may connect: Upstox's own hosts, or the account's own host. */
import { describe, expect, it } from "vitest";
import { BrokerUnavailableError } from "@/lib/errors";
import { allowedStreamUrl, streamUrlOf } from "./stream-hosts";

const UPSTOX = "https://api.upstox.com";
const SIM = "http://127.0.0.1:5120/upstox";
const q = "?requestId=r-1&code=c-1";

describe("allowedStreamUrl", () => {
  it("accepts Upstox's stream hosts over wss for an account on Upstox's root", () => {
    const feed = `wss://wsfeeder-api.upstox.com/market-data-feeder/v3/upstox-developer-api/feeds${q}`;
    expect(allowedStreamUrl(UPSTOX, feed).href).toBe(feed);
    expect(allowedStreamUrl(`${UPSTOX}/`, `wss://api.upstox.com/v2/feed/portfolio-stream-feed${q}`).host).toBe(
      "api.upstox.com",
    );
  });

  it.each([
    ["another domain", `wss://feeds.example.com/feed${q}`],
    ["a look-alike domain", `wss://evilupstox.com/feed${q}`],
    ["a suffix trick", `wss://upstox.com.example.net/feed${q}`],
    ["plain ws to Upstox", `ws://wsfeeder-api.upstox.com/feed${q}`],
    ["credentials in the URL", `wss://user:pw@api.upstox.com/feed${q}`],
    ["the simulator's host", `ws://127.0.0.1:5120/upstox/feed${q}`],
  ])("refuses %s for an account on Upstox's root", (_name, url) => {
    expect(() => allowedStreamUrl(UPSTOX, url)).toThrow(BrokerUnavailableError);
  });

  it("accepts the account's own host and port with the matching scheme", () => {
    const url = allowedStreamUrl(SIM, `ws://127.0.0.1:5120/upstox/upstox-developer-api/order-updates/feed${q}`);
    expect(url.host).toBe("127.0.0.1:5120");
    expect(allowedStreamUrl("https://proxy.example.org/up", `wss://proxy.example.org/up/feed${q}`).host).toBe(
      "proxy.example.org",
    );
  });

  it.each([
    ["Upstox itself", `wss://wsfeeder-api.upstox.com/feed${q}`],
    ["another port", `ws://127.0.0.1:5121/upstox/feed${q}`],
    ["another host", `ws://localhost:5120/upstox/feed${q}`],
    ["a scheme that does not match", `wss://127.0.0.1:5120/upstox/feed${q}`],
    ["not a WebSocket", `http://127.0.0.1:5120/upstox/feed${q}`],
    ["no URL at all", "not a url"],
  ])("refuses %s for an account on another host", (_name, url) => {
    expect(() => allowedStreamUrl(SIM, url)).toThrow(BrokerUnavailableError);
  });

  it("never repeats the one-time code in its refusal", () => {
    expect(() => allowedStreamUrl(SIM, "ws://elsewhere.test/feed?code=secret-code-123")).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("secret-code-123") }),
    );
  });
});

describe("streamUrlOf", () => {
  it("reads either spelling of the authorized URL", () => {
    const url = `ws://127.0.0.1:5120/upstox/feed${q}`;
    expect(streamUrlOf(SIM, { authorized_redirect_uri: url }).href).toBe(url);
    expect(streamUrlOf(SIM, { authorizedRedirectUri: url }).href).toBe(url);
    expect(() => streamUrlOf(SIM, { something: url })).toThrow(BrokerUnavailableError);
  });
});
