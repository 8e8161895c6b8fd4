import { describe, expect, it } from "vitest";
import { classifyRejection, freezeLimitOf, REJECTION_CAUSES } from "./rejection-cause";

describe("rejection causes", () => {
  it.each([
    ["Quantity 1300 exceeds the freeze limit of 650 for NIFTY08DEC2626100CE. Slice the order.", "freeze"],
    ["Order quantity exceeds the maximum order quantity (freeze qty)", "freeze"],
    ["RMS:Margin Exceeds, Required margin 81294.00, Available margin 9968.31", "margin"],
    ["Insufficient funds. Required: ₹81294000.00, Available: ₹9968043.31, Shortage: ₹71325956.69", "margin"],
    ["Rate limited by broker (10 per 1 second)", "rate_limit"],
    ["Broker refused the API key (wrong key, or the broker session expired)", "auth"],
    ["Invalid openalgo apikey", "auth"],
    ["Broker unreachable: connect ECONNREFUSED 127.0.0.1:5000", "network"],
    ["not placed: request timed out after 10000 ms (gave up after 9 tries)", "network"],
    ["MIS orders cannot be placed after square-off time (15:15 IST)", "market_closed"],
    ["Cannot sell TCS in CNC. No positions or holdings available.", "other"],
    // Amounts and instrument tokens are not HTTP statuses, nor is an instrument token an access token.
    ["RMS:Margin Exceeds, Required margin 40129.00, Available margin 429.31", "margin"],
    ["Insufficient funds. Required margin is 401.25 but available margin is 403.10", "margin"],
    ["RMS: margin shortfall for token 50312, available 502.40", "margin"],
    ["Invalid symboltoken for NIFTY25DEC2526000CE", "other"],
    ["Broker error HTTP 502: Bad Gateway", "network"],
    ["HTTP 429: Too Many Requests", "rate_limit"],
    ["Unexpected HTTP 401: invalid request", "auth"],
    ["Access token is invalid or has expired", "auth"],
    ["", "other"],
  ])("%s → %s", (text, cause) => {
    expect(classifyRejection(text)).toBe(cause);
  });

  it("a freeze rejection is never labelled as an account or connection problem", () => {
    const cause = classifyRejection("Quantity 650 exceeds the freeze limit of 600 for NIFTY. Slice the order.");
    expect(REJECTION_CAUSES[cause].title).toBe("order above the freeze limit");
    expect(REJECTION_CAUSES[cause].advice).not.toMatch(/account/i);
  });

  it("reads the freeze limit a rejection states", () => {
    expect(
      freezeLimitOf("Quantity 1300 exceeds the freeze limit of 650 for NIFTY08DEC2626100CE. Slice the order."),
    ).toBe(650);
    expect(freezeLimitOf("freeze qty 1800")).toBe(1800);
    expect(freezeLimitOf("Order quantity exceeds the freeze limit")).toBeNull();
    expect(freezeLimitOf("freeze 1")).toBeNull();
    expect(freezeLimitOf(null)).toBeNull();
  });
});
