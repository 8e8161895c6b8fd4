import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { ACCESS_GATE, authorize } from "@/lib/auth/authorize";
import { currentUser } from "@/lib/auth/current-user";
import type { SessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { clientIp, zodFields } from "@/lib/http/errors";
import { FRIENDLY } from "@/lib/http/field-messages";
import { log } from "@/lib/log";

/** What a form's server action hands back to `useActionState`. */
export type ActionState = { ok: boolean; message?: string; fields?: Record<string, string[]> } | null;

/**
 * Server-action wrapper: requires a session (and `write`/`admin` role when asked), parses the FormData with zod,
 * runs the action, and turns typed errors into form state. `redirect()` inside the action still works.
 */
export function action<S extends z.ZodType>(
  opts: { schema: S; access?: "read" | "write" | "admin" },
  fn: (input: z.infer<S>, ctx: { user: SessionUser; ip: string }) => Promise<ActionState | void>,
) {
  return async (_prev: ActionState, form: FormData): Promise<ActionState> => {
    try {
      const user = await currentUser();
      if (!user) return { ok: false, message: "Your session has ended. Sign in again." };
      // A refusal is a ForbiddenError, turned into form state below like every typed error.
      authorize(user, ACCESS_GATE[opts.access ?? "read"]);
      const parsed = opts.schema.safeParse(Object.fromEntries(form), FRIENDLY);
      if (!parsed.success) {
        const fields = zodFields(parsed.error);
        return { ok: false, message: `Check ${Object.keys(fields).join(", ")}`, fields };
      }
      return (await fn(parsed.data, { user, ip: clientIp(await headers()) })) ?? { ok: true };
    } catch (e) {
      unstable_rethrow(e);
      if (e instanceof AppError) return { ok: false, message: e.message, fields: e.fields };
      log().error({ err: e }, "server action failed");
      return { ok: false, message: "Something went wrong. It has been logged." };
    }
  };
}
