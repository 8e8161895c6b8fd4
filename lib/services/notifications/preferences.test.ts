import { describe, expect, it } from "vitest";
import { DEFAULT_PREFERENCES, effectivePreferences, kindsOn } from "./preferences";

describe("notification preferences", () => {
  it("default to in-app for every kind, Telegram and e-mail off", () => {
    expect(effectivePreferences(null)).toEqual(DEFAULT_PREFERENCES);
    expect(kindsOn(DEFAULT_PREFERENCES, "IN_APP")).toHaveLength(6);
    expect(kindsOn(DEFAULT_PREFERENCES, "TELEGRAM")).toEqual([]);
  });

  it("keep stored choices, apply changes per kind, order channels and drop unknown ones", () => {
    const stored = { FILL: ["TELEGRAM", "IN_APP", "TELEGRAM"], RISK: ["EMAIL", "PIGEON"], NOT_A_KIND: ["IN_APP"] };
    const prefs = effectivePreferences(stored, { REJECTION: [] });
    expect(prefs.FILL).toEqual(["IN_APP", "TELEGRAM"]);
    expect(prefs.RISK).toEqual(["EMAIL"]);
    expect(prefs.REJECTION).toEqual([]);
    expect(prefs.ACCOUNT).toEqual(["IN_APP"]);
    expect(Object.keys(prefs)).not.toContain("NOT_A_KIND");
  });

  it("ignore a stored value of the wrong shape", () => {
    expect(effectivePreferences("garbage")).toEqual(DEFAULT_PREFERENCES);
  });
});
