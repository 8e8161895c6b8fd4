import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { openAlertsOfKind } from "@/lib/db/queries/alerts";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";

beforeEach(async () => {
  await resetState();
});
afterAll(async () => {
  await closeConnections();
});

describe("open alerts of a kind", () => {
  it("are the rows Prisma's model read returns: open ones of that kind, with or without an account", async () => {
    const user = await makeUser("TRADER");
    const accountId = randomUUID();
    await db().tradingAccount.create({
      data: {
        id: accountId,
        ownerId: user.id,
        name: "acct",
        hostUrl: "http://127.0.0.1:5055",
        wsUrl: "ws://127.0.0.1:8765",
        apiKeyEnc: "not-used",
        apiKeyLast4: "0000",
      },
    });
    const alert = (kind: string, account: string | null, resolvedAt: Date | null, message: string) =>
      db().alert.create({
        data: { ownerId: user.id, accountId: account, kind, severity: "WARNING", message, resolvedAt },
      });
    await alert("stale", accountId, null, "prices stale: NIFTY");
    await alert("stale", null, null, "no account");
    await alert("stale", accountId, new Date(), "resolved");
    await alert("down", accountId, null, "another kind");
    const byId = (rows: { id: string }[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    const rows = await openAlertsOfKind("stale");
    expect(rows.map((r) => r.message).sort()).toEqual(["no account", "prices stale: NIFTY"]);
    expect(byId(rows)).toEqual(
      byId(
        await db().alert.findMany({
          where: { kind: "stale", resolvedAt: null },
          select: { id: true, ownerId: true, accountId: true, message: true },
        }),
      ),
    );
  });
});
