import { route } from "@/lib/http/route";
import { copyGroupParams, copyPauseSchema, setCopyGroupPaused } from "@/lib/services/copy";

/** Pauses the group: master events are still recorded (skipped), nothing is sent. */
export const POST = route(
  { access: "write", params: copyGroupParams, body: copyPauseSchema },
  async ({ user, params, body, ip }) => setCopyGroupPaused(user, params.id, { reason: body.reason }, ip),
);
