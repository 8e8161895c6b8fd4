import { describe, expect, it } from "vitest";
import { issueLoginTicket, readLoginTicket } from "@/lib/auth/login-ticket";

const secret = "s".repeat(32);
const now = 1_800_000_000_000;

describe("login ticket", () => {
  it("round-trips the user id and session version while fresh", () => {
    const t = issueLoginTicket("u-1", 3, secret, now);
    expect(readLoginTicket(t, secret, now + 29_000)).toEqual({ userId: "u-1", sessionVersion: 3 });
  });

  it("expires after 30 seconds", () => {
    expect(readLoginTicket(issueLoginTicket("u-1", 0, secret, now), secret, now + 30_000)).toBeNull();
  });

  it("refuses a tampered ticket or another secret", () => {
    const t = issueLoginTicket("u-1", 0, secret, now);
    expect(readLoginTicket(t.replace("u-1", "u-2"), secret, now)).toBeNull();
    expect(readLoginTicket(t, "t".repeat(32), now)).toBeNull();
    expect(readLoginTicket("garbage", secret, now)).toBeNull();
  });
});
