import { handlers } from "@/lib/auth/config";
import { guardHandler } from "@/lib/http/guard";

export const GET = handlers.GET;
/** next-auth's own endpoints (sign-in callback, sign-out): same-origin only and body-capped, like every route. */
export const POST = guardHandler(handlers.POST);
