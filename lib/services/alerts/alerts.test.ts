import { describe, expect, it } from "vitest";
import { alertTitle } from ".";

describe("alert labels", () => {
  it("come from the kind and the broker's cause, never from the severity", () => {
    expect(alertTitle("exit_failed", "freeze")).toBe("Exit failing: order above the freeze limit");
    expect(alertTitle("exit_failed", "margin")).toBe("Exit failing: not enough margin");
    expect(alertTitle("exit_failed", "rate_limit")).toBe("Exit failing: broker rate limit");
    expect(alertTitle("exit_failed", "network")).toBe("Exit failing: broker unreachable");
    expect(alertTitle("exit_failed", null)).toBe("Exit failing");
    expect(alertTitle("account_down", null)).toBe("Account down");
    expect(alertTitle("primary_failover", null)).toBe("Market-data source switched");
    expect(alertTitle("intents_expired", null)).toBe("Orders expired unsent");
    expect(alertTitle("market_data_stale_real", null)).toBe("Live prices stale");
    expect(alertTitle("market_data_stale_simulated", null)).toBe("Live simulated prices stale");
    expect(alertTitle("calendar_refresh_failed", null)).toBe("Trading calendar not refreshed");
    expect(alertTitle("something_new", "bogus")).toBe("Notice");
  });
});
