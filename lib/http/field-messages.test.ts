import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeFields, fieldLabel, FRIENDLY } from "@/lib/http/field-messages";
import { zodFields } from "@/lib/http/errors";

const schema = z.object({
  name: z.string().trim().min(1).max(5),
  email: z.email(),
  role: z.enum(["ADMIN", "TRADER"]),
  lots: z.int().min(1).max(50),
  ids: z.array(z.uuid()).min(1),
  id: z.uuid("Not a user id"),
  note: z.string(),
  strict: z.strictObject({}),
});

const fieldsOf = (input: unknown) => {
  const r = schema.safeParse(input, FRIENDLY);
  if (r.success) throw new Error("expected a failure");
  return zodFields(r.error);
};

describe("friendly field messages", () => {
  it("says what to fix in plain words, never zod's developer text", () => {
    expect(
      fieldsOf({ name: "", email: "x", role: "KING", lots: 0, ids: [], id: "x", note: 5, strict: { extra: 1 } }),
    ).toEqual({
      name: ["Required"],
      email: ["Enter a valid email address"],
      role: ["Choose one of: ADMIN, TRADER"],
      lots: ["Must be 1 or more"],
      ids: ["Choose at least one"],
      id: ["Not a user id"],
      note: ["Must be text"],
      strict: ["Unknown field: extra"],
    });
  });

  it("missing fields are Required; sizes and numbers name their bound", () => {
    const f = fieldsOf({ name: "too long", lots: 1.5, ids: ["nope"] });
    expect(f).toMatchObject({
      name: ["At most 5 characters"],
      email: ["Required"],
      role: ["Required"],
      lots: ["Must be a whole number"],
      "ids.0": ["Not a valid id"],
      note: ["Required"],
    });
    expect(fieldsOf({ lots: 51 }).lots).toEqual(["Must be 50 or less"]);
    expect(Object.values(fieldsOf({})).flat().join(" ")).not.toMatch(/Invalid input|expected|received/);
  });

  it.each([
    ["name", "name"],
    ["currentPassword", "current password"],
    ["definition.legs.0.lots", "leg 1 lots"],
    ["definition.legs.2.strike.n", "leg 3 strike n"],
    ["accountIds.1", "account id 2"],
    ["_", ""],
  ])("labels %s as %s", (path, label) => {
    expect(fieldLabel(path)).toBe(label);
  });

  it("describes a 400 by field, form-level text without a label", () => {
    expect(
      describeFields({ _: ["Nothing to change"], "definition.legs.0.lots": ["Must be 1 or more"], name: ["Required"] }),
    ).toBe("Please fix: Nothing to change; leg 1 lots — Must be 1 or more; name — Required");
  });
});
