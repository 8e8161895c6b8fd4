import { v1Route } from "@/lib/http/api-v1/route";
import { getKillSwitch, setKillSwitch } from "@/lib/http/api-v1/operations-orders";
import { engageKillSwitch, killSwitchStatus, rearmKillSwitch } from "@/lib/services/kill-switch";

export const dynamic = "force-dynamic";

export const GET = v1Route(getKillSwitch, async ({ user }) => killSwitchStatus(user));

export const POST = v1Route(setKillSwitch, async ({ user, body, ip }) =>
  body.action === "engage"
    ? engageKillSwitch(user, { scope: body.scope, reason: body.reason }, ip)
    : rearmKillSwitch(user, { scope: body.scope, ownerId: body.ownerId }, ip),
);
