import { describe, expect, it } from "vitest";
import { zerodhaCredentials } from "./account";
import { ZERODHA_FORM } from "./form";
import { kiteLoginUrl } from "./login";

describe("zerodha credentials", () => {
  it("a blank or absent API root is Kite's own; a typed one loses its trailing slash", () => {
    const base = { apiKey: "abcdef123456", apiSecret: "secret123456" };
    expect(zerodhaCredentials.parse({ ...base, hostUrl: "" }).hostUrl).toBe("https://api.kite.trade");
    expect(zerodhaCredentials.parse(base).hostUrl).toBe("https://api.kite.trade");
    expect(zerodhaCredentials.parse({ ...base, hostUrl: "http://127.0.0.1:5110/kite/" }).hostUrl).toBe(
      "http://127.0.0.1:5110/kite",
    );
    expect(zerodhaCredentials.safeParse({ ...base, hostUrl: "ftp://x" }).success).toBe(false);
    expect(zerodhaCredentials.safeParse({ apiKey: "abcdef123456" }).success).toBe(false);
  });

  it("the form asks for exactly the schema's fields, secrets as secrets", () => {
    expect(ZERODHA_FORM.fields.map((f) => f.name).sort()).toEqual(Object.keys(zerodhaCredentials.shape).sort());
    for (const f of ZERODHA_FORM.fields) expect(f.secret).toBe(f.name === "apiKey" || f.name === "apiSecret");
  });

  it("the login page is on kite.zerodha.com for the real API root, else under the typed root", () => {
    expect(kiteLoginUrl("https://api.kite.trade")).toBe("https://kite.zerodha.com/connect/login");
    expect(kiteLoginUrl("http://127.0.0.1:5110/kite/")).toBe("http://127.0.0.1:5110/kite/connect/login");
  });
});
