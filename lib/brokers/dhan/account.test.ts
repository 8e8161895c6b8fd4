/** The Dhan credential schema: a blank API URL means Dhan's own, other schemes are refused, the client id is required. */
import { describe, expect, it } from "vitest";
import { dhanCredentials } from "./account";

const base = { apiKey: "abcd1234", apiSecret: "s3cr3t-xx", clientId: "1100012345" };

describe("dhan credentials", () => {
  it("defaults a blank or missing API URL to https://api.dhan.co/v2 and trims a trailing slash", () => {
    expect(dhanCredentials.parse({ ...base, hostUrl: "" }).hostUrl).toBe("https://api.dhan.co/v2");
    expect(dhanCredentials.parse(base).hostUrl).toBe("https://api.dhan.co/v2");
    expect(dhanCredentials.parse({ ...base, hostUrl: "http://127.0.0.1:5140/dhan/v2/" }).hostUrl).toBe(
      "http://127.0.0.1:5140/dhan/v2",
    );
  });

  it("refuses other schemes and a missing or malformed client id", () => {
    expect(dhanCredentials.safeParse({ ...base, hostUrl: "ftp://x" }).success).toBe(false);
    expect(dhanCredentials.safeParse({ ...base, clientId: "" }).success).toBe(false);
    expect(dhanCredentials.safeParse({ ...base, clientId: "11 00" }).success).toBe(false);
  });
});
