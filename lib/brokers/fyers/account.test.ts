/** The Fyers credential schema: blank API URL means Fyers itself; app ids and secrets are checked before storage. */
import { describe, expect, it } from "vitest";
import { fyersCredentials, fyersWording } from "./account";
import { FYERS_FORM } from "./form";

describe("fyers credentials", () => {
  it("fills in Fyers' API root for a blank URL and trims what the user typed", () => {
    expect(fyersCredentials.parse({ hostUrl: " ", apiKey: " ABCD1234EF-100 ", apiSecret: " s3cretID " })).toEqual({
      hostUrl: "https://api-t1.fyers.in",
      apiKey: "ABCD1234EF-100",
      apiSecret: "s3cretID",
      pin: "",
    });
    expect(
      fyersCredentials.parse({ hostUrl: "http://127.0.0.1:5130/fyers/", apiKey: "A1-100", apiSecret: "secret" })
        .hostUrl,
    ).toBe("http://127.0.0.1:5130/fyers");
  });

  it("refuses an app id without its type suffix, a short secret and a non-HTTP URL", () => {
    expect(fyersCredentials.safeParse({ hostUrl: "", apiKey: "ABCD1234EF", apiSecret: "secret" }).success).toBe(false);
    expect(fyersCredentials.safeParse({ hostUrl: "", apiKey: "ABCD1234EF-100", apiSecret: "abc" }).success).toBe(false);
    expect(
      fyersCredentials.safeParse({ hostUrl: "ftp://x", apiKey: "ABCD1234EF-100", apiSecret: "secret" }).success,
    ).toBe(false);
  });

  it("takes an optional 4-digit PIN: blank is none, anything else but 4 digits is refused", () => {
    const base = { hostUrl: "", apiKey: "ABCD1234EF-100", apiSecret: "secret" };
    expect(fyersCredentials.parse({ ...base, pin: " 1234 " }).pin).toBe("1234");
    expect(fyersCredentials.parse({ ...base, pin: " " }).pin).toBe("");
    for (const pin of ["123", "12345", "12a4"])
      expect(fyersCredentials.safeParse({ ...base, pin }).success, pin).toBe(false);
  });

  it("has a form field for every credential and words failures without the remote's text", () => {
    expect(FYERS_FORM.fields.map((f) => f.name).sort()).toEqual(Object.keys(fyersCredentials.shape).sort());
    expect(fyersWording.describeFailure("not_openalgo", "h:1", "API")).toContain("not as Fyers");
  });
});
