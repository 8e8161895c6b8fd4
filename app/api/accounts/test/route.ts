import { route } from "@/lib/http/route";
import { formTestSchema, testFromForm } from "@/lib/services/accounts";

/** "Test connection" on the add/edit form: pings the broker with the typed details; saves nothing. */
export const POST = route({ access: "write", body: formTestSchema }, async ({ user, body }) => ({ ok: true, ping: await testFromForm(user, body) }));
