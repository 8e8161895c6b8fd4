import { route } from "@/lib/http/route";
import { createUser, createUserSchema, listAllUsers } from "@/lib/services/users";

export const GET = route({ access: "admin" }, async () => ({ users: await listAllUsers() }));

export const POST = route({ access: "admin", body: createUserSchema }, async ({ user, body, ip }) => {
  return Response.json({ user: await createUser(user, body, ip) }, { status: 201 });
});
