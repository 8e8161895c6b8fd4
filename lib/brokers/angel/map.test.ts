/** Angel's words and envelopes into the contract's: statuses, times, funds, error classes. */
import { describe, expect, it } from "vitest";
import { BrokerAuthError, BrokerRejectedError, BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import { mapFunds, parseAngelTime, statusOf } from "./map";
import { classify, errorOf, loginUrl, masterUrl } from "./wire";

const answer = (status: number, body: unknown, text = JSON.stringify(body)) => ({
  kind: "response" as const,
  status,
  body,
  text,
});

describe("angel mappings", () => {
  it("folds Angel's status words into the contract's", () => {
    expect(statusOf("complete")).toBe("complete");
    expect(statusOf("rejected")).toBe("rejected");
    expect(statusOf("cancelled")).toBe("cancelled");
    expect(statusOf("trigger pending")).toBe("trigger_pending");
    for (const working of ["open", "open pending", "validation pending", "modify pending", "put order req received"])
      expect(statusOf(working)).toBe("open");
  });

  it("reads order-book times as IST", () => {
    expect(parseAngelTime("08-Dec-2026 09:20:31")?.toISOString()).toBe("2026-12-08T03:50:31.000Z");
    expect(parseAngelTime("09:20:31")).toBeNull();
  });

  it("funds: cash is availablecash net of utiliseddebits; available margin adds collateral", () => {
    const f = mapFunds({
      net: "835000.00",
      availablecash: "1000000.00",
      collateral: "50000.00",
      utiliseddebits: "215000.00",
      m2mrealized: "120.50",
      m2munrealized: "-19.50",
    });
    expect(f.cash.toFixed(2)).toBe("785000.00");
    expect(f.availableMargin.toFixed(2)).toBe("835000.00");
    expect(f.utilised.toFixed(2)).toBe("215000.00");
    expect([f.realisedPnl.toFixed(2), f.unrealisedPnl.toFixed(2)]).toEqual(["120.50", "-19.50"]);
  });

  it("classifies answers: success, gateway token refusals, refresh-token refusals, rate limit, 5xx, rejections", () => {
    expect(classify(answer(200, { status: true, message: "SUCCESS", errorcode: "", data: { a: 1 } }))).toEqual({
      kind: "ok",
      data: { a: 1 },
    });
    const token = classify(answer(401, { success: false, message: "Invalid Token", errorCode: "AG8001", data: "" }));
    expect(token.kind === "ok" ? null : errorOf(token)).toBeInstanceOf(BrokerAuthError);
    const refresh = classify(
      answer(200, { status: false, message: "Invalid Refresh Token", errorcode: "AB8050", data: null }),
    );
    expect(refresh.kind).toBe("auth");
    const limited = classify(answer(403, undefined, "Access denied because of exceeding access rate"));
    expect(limited.kind === "ok" ? null : errorOf(limited)).toBeInstanceOf(RateLimitedError);
    const down = classify(answer(502, undefined, "<html>Bad Gateway</html>"));
    expect(down.kind === "ok" ? null : errorOf(down)).toBeInstanceOf(BrokerUnavailableError);
    const refused = classify(
      answer(200, { status: false, message: "Symbol Not Found", errorcode: "AB1009", data: null }),
    );
    expect(refused.kind === "ok" ? null : errorOf(refused)).toBeInstanceOf(BrokerRejectedError);
  });

  it("maps the login page and master download to Angel's hosts, or below any other host URL", () => {
    expect(loginUrl("https://apiconnect.angelone.in")).toBe("https://smartapi.angelone.in/publisher-login");
    expect(loginUrl("http://127.0.0.1:5150/angel/")).toBe("http://127.0.0.1:5150/angel/publisher-login");
    expect(masterUrl("https://apiconnect.angelone.in")).toEqual({
      base: "https://margincalculator.angelone.in",
      path: "/OpenAPI_File/files/OpenAPIScripMaster.json",
    });
    expect(masterUrl("http://127.0.0.1:5150/angel")).toEqual({
      base: "http://127.0.0.1:5150/angel",
      path: "/OpenAPI_File/files/OpenAPIScripMaster.json",
    });
  });
});
