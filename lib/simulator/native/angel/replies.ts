/**
 * The Angel front-end's answer envelopes and session issue (docs/brokers/angel.md "Answers and errors"), shared by its
 * routes, login page and password login.
 */
import type { NativeContext } from "@/lib/simulator/native/front-end";
import type { Reply } from "@/lib/simulator/server/rest";
import type { InstanceState } from "@/lib/simulator/types";
import { addDays, istDateOf, istInstant } from "@/lib/trading/calendar";
import { ANGEL, ANGEL_FEED, ANGEL_REFRESH } from "./session-names";

export function angelJson(status: number, body: unknown): Reply {
  return { status, body: JSON.stringify(body) };
}
export const ok = (data: unknown) => angelJson(200, { status: true, message: "SUCCESS", errorcode: "", data });
export const fail = (errorcode: string, message: string, status = 200) =>
  angelJson(status, { status: false, message, errorcode, data: null });
/** The API gateway's refusals use another envelope (`success`, `errorCode`) than the services behind it. */
export const gateway = (errorCode: string, message: string) =>
  angelJson(401, { success: false, message, errorCode, data: "" });

/** Angel's sessions end at midnight IST of the day they were made (docs/brokers/angel.md "Token lifetime"). */
export function sessionExpiry(now: number): number {
  return istInstant(addDays(istDateOf(now), 1), "00:00");
}

export function issueSession(ctx: NativeContext, instance: InstanceState) {
  const expiresAt = sessionExpiry(ctx.market.clock.now());
  return {
    jwtToken: ctx.sessions.issue(ANGEL, instance, expiresAt, "eyJ"),
    refreshToken: ctx.sessions.issue(ANGEL_REFRESH, instance, expiresAt, "eyJ"),
    feedToken: ctx.sessions.issue(ANGEL_FEED, instance, expiresAt, "eyJ"),
  };
}
