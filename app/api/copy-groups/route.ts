import { route } from "@/lib/http/route";
import { copyGroupCreateSchema, createCopyGroup, listCopyGroups } from "@/lib/services/copy";

export const dynamic = "force-dynamic";

/** Every copy group the caller may read, with children and last event. */
export const GET = route({}, async ({ user }) => ({ groups: await listCopyGroups(user) }));

/** A new group; the master's books are read first and recorded as its baseline (409 when it cannot be read). */
export const POST = route({ access: "write", body: copyGroupCreateSchema }, async ({ user, body, ip }) =>
  Response.json(await createCopyGroup(user, body, ip), { status: 201 }),
);
