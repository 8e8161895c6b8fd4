import { route } from "@/lib/http/route";
import {
  engageKillSwitch,
  killSwitchRequestSchema,
  killSwitchStatus,
  rearmKillSwitch,
} from "@/lib/services/kill-switch";

export const dynamic = "force-dynamic";

/** Engaged switches the caller can see, and whether the caller's entries are blocked. */
export const GET = route({}, async ({ user }) => killSwitchStatus(user));

/** `engage` (mine, or all for admins): flatten and block entries. `rearm` (admins): allow entries again. */
export const POST = route({ access: "write", body: killSwitchRequestSchema }, async ({ user, body, ip }) =>
  body.action === "engage"
    ? engageKillSwitch(user, { scope: body.scope, reason: body.reason }, ip)
    : rearmKillSwitch(user, { scope: body.scope, ownerId: body.ownerId }, ip),
);
