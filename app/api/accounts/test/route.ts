import { route } from "@/lib/http/route";
import { formTestSchema, testFromForm } from "@/lib/services/accounts";

/** "Test connection" on the add/edit form: separate API and WebSocket verdicts for the typed details; saves nothing. */
export const POST = route({ access: "write", body: formTestSchema }, async ({ user, body, ip }) =>
  testFromForm(user, body, ip),
);
