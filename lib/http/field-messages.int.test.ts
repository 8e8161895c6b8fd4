import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { closeConnections, jsonRequest, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { POST as createUser } from "@/app/api/users/route";
import { POST as createStrategy } from "@/app/api/strategies/route";

beforeEach(resetState);
afterAll(closeConnections);

describe("field messages over the API", () => {
  it("a form posted with missing and wrong fields gets plain per-field messages, never zod's developer text", async () => {
    const cookie = await sessionCookie(await makeUser("ADMIN"));
    const res = await createUser(jsonRequest("/api/users", { body: { name: "", role: "KING" }, cookie }));
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error).toEqual({
      code: "BAD_REQUEST",
      message:
        "Please fix: name — Enter your name; email — Enter a valid email address; password — Required; role — Choose one of: ADMIN, TRADER, VIEWER",
      fields: {
        name: ["Enter your name"],
        email: ["Enter a valid email address"],
        password: ["Required"],
        role: ["Choose one of: ADMIN, TRADER, VIEWER"],
      },
    });

    const strategy = await createStrategy(jsonRequest("/api/strategies", { body: { name: 5 }, cookie }));
    const fields = (await strategy.json()).error.fields as Record<string, string[]>;
    expect(fields.name).toEqual(["Must be text"]);
    expect(fields.definition).toEqual(["Required"]);
    expect(JSON.stringify(fields)).not.toMatch(/Invalid input|expected|received/);
  });
});
