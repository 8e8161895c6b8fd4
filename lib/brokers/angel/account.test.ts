/** The Angel One credential schema and form: the optional PIN and TOTP seed, checked before anything is stored. */
import { describe, expect, it } from "vitest";
import { angelCredentials } from "./account";
import { ANGEL_FORM } from "./form";

const base = { hostUrl: "", apiKey: "smartapi-key", apiSecret: "smartapi-secret", clientId: " a1234567 " };

describe("angel credentials", () => {
  it("fills in Angel's API root, upper-cases the client id, and takes no PIN or seed as none", () => {
    expect(angelCredentials.parse(base)).toEqual({
      hostUrl: "https://apiconnect.angelone.in",
      apiKey: "smartapi-key",
      apiSecret: "smartapi-secret",
      clientId: "A1234567",
      pin: "",
      totpSecret: "",
    });
    expect(angelCredentials.parse({ ...base, pin: " ", totpSecret: "  " })).toMatchObject({ pin: "", totpSecret: "" });
  });

  it("takes a 4-digit PIN and refuses any other", () => {
    expect(angelCredentials.parse({ ...base, pin: " 0427 " }).pin).toBe("0427");
    for (const pin of ["123", "12345", "12a4", "abcd"]) {
      const r = angelCredentials.safeParse({ ...base, pin });
      expect(r.success, pin).toBe(false);
      expect(
        r.error?.issues.map((i) => i.path.join(".")),
        pin,
      ).toEqual(["pin"]);
    }
  });

  it("takes the TOTP seed as Angel shows it (spaces and case ignored) and refuses what is not a base32 seed", () => {
    expect(angelCredentials.parse({ ...base, totpSecret: " mfrg gzdf mztw q2lk nnwg 23tp oa " }).totpSecret).toBe(
      "MFRGGZDFMZTWQ2LKNNWG23TPOA",
    );
    for (const totpSecret of [
      "123456",
      "MFRGGZDFMZTWQ2LKNNWG23TPO1",
      "JBSWY3DPEHPK3PXP",
      "MFRGGZDFMZTWQ2LKNNWG23TPO",
    ]) {
      const r = angelCredentials.safeParse({ ...base, totpSecret });
      expect(r.success, totpSecret).toBe(false);
      expect(
        r.error?.issues.map((i) => i.path.join(".")),
        totpSecret,
      ).toEqual(["totpSecret"]);
      // The refusal never repeats what was typed.
      expect(JSON.stringify(r.error?.issues), totpSecret).not.toContain(totpSecret);
    }
  });

  it("has a form field for every credential; the PIN and seed are optional secrets, never shown back", () => {
    expect(ANGEL_FORM.fields.map((f) => f.name).sort()).toEqual(Object.keys(angelCredentials.shape).sort());
    for (const name of ["pin", "totpSecret"]) {
      expect(
        ANGEL_FORM.fields.find((f) => f.name === name),
        name,
      ).toMatchObject({
        secret: true,
        required: false,
        inputType: "password",
        keepHint: "blank keeps it",
      });
    }
  });
});
