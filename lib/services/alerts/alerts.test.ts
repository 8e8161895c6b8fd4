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

  it("name the cause of an account outage and of a refused copy, so the fix they point to is the right one", () => {
    expect(alertTitle("account_down", "auth")).toBe("Account down: broker refused the key or session");
    expect(alertTitle("account_down", "network")).toBe("Account down: broker unreachable");
    expect(alertTitle("account_down", "other")).toBe("Account down");
    expect(alertTitle("copy_rejected", "margin")).toBe("Copy rejected: not enough margin");
    expect(alertTitle("copy_rejected", null)).toBe("Copy rejected");
    expect(alertTitle("copy_child_paused", "market_closed")).toBe("Copying paused for a child: market closed");
    expect(alertTitle("notification_failed", null)).toBe("Notifications failing");
  });
});
