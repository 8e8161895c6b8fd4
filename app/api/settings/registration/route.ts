import { z } from "zod";
import { route } from "@/lib/http/route";
import { isRegistrationOpen, setRegistrationOpen } from "@/lib/services/users";

export const GET = route({ access: "public" }, async () => ({ open: await isRegistrationOpen() }));

export const PUT = route({ access: "admin", body: z.object({ open: z.boolean() }) }, async ({ user, body, ip }) => {
  await setRegistrationOpen(user, body.open, ip);
  return { open: body.open };
});
