import { z } from "zod";
import { isUniqueViolation } from "@/lib/db/errors";
import { lockExclusive } from "@/lib/db/locks";
import { inTransaction } from "@/lib/db/transaction";
import { insertAudit } from "@/lib/db/queries/audit";
import { getBooleanSetting, REGISTRATION_OPEN, setSetting } from "@/lib/db/queries/settings";
import {
  countAdmins,
  countTradersAmong,
  countUsers,
  deleteViewerLinksOf,
  findUserById,
  insertUser,
  listUsers,
  listViewerLinks,
  replaceViewerLinks,
  setPasswordHash,
  updateUser,
  type PublicUser,
} from "@/lib/db/queries/users";
import { hashPassword, passwordSchema, verifyPassword } from "@/lib/auth/password";
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from "@/lib/errors";
import { clearPasswordChangeAttempts, spendPasswordChangeAttempt } from "@/lib/auth/throttle";
import { formatWait } from "./auth";

// Signing in and out (throttled, audited) is the sibling ./auth.
export { login, loginSchema, logout, type LoginInput } from "./auth";

const roleSchema = z.enum(["ADMIN", "TRADER", "VIEWER"]);

export const registerSchema = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100),
  email: z
    .email("Enter a valid email address")
    .max(254, "Email must be at most 254 characters")
    .transform((e) => e.toLowerCase()),
  password: passwordSchema,
});
export const createUserSchema = registerSchema.extend({ role: roleSchema });
export const updateUserSchema = z
  .object({
    role: roleSchema.optional(),
    active: z.boolean().optional(),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "Nothing to change");
export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, "Enter your current password").max(200),
  newPassword: passwordSchema,
});

const emailTaken = () =>
  new ConflictError("An account with this email already exists", { email: ["Already registered"] });

/**
 * Self-registration. The very first user becomes ADMIN; afterwards registration is closed unless an admin opened
 * it. Serialised with an advisory lock so two simultaneous first registrations cannot both become ADMIN.
 */
export async function register(input: z.infer<typeof registerSchema>, ip: string): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    return await inTransaction(async (tx) => {
      await lockExclusive(tx, "firstAdmin");
      const first = (await countUsers(tx)) === 0;
      if (!first && !(await getBooleanSetting(REGISTRATION_OPEN, false, tx))) {
        throw new ForbiddenError("Registration is closed. Ask an administrator for an account.");
      }
      const user = await insertUser(tx, {
        email: input.email,
        name: input.name,
        passwordHash,
        role: first ? "ADMIN" : "TRADER",
      });
      await insertAudit(
        {
          actorId: user.id,
          action: "user.register",
          entity: "user",
          entityId: user.id,
          details: { role: user.role },
          ip,
        },
        tx,
      );
      return user;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw emailTaken();
    throw e;
  }
}

/** Whether self-registration is open now, and whether the next user would be the first (and so ADMIN). */
export async function registrationState(): Promise<{ open: boolean; firstUser: boolean }> {
  const firstUser = (await countUsers()) === 0;
  return { firstUser, open: firstUser || (await getBooleanSetting(REGISTRATION_OPEN, false)) };
}

export async function isRegistrationOpen(): Promise<boolean> {
  return (await registrationState()).open;
}

export async function setRegistrationOpen(actor: Actor, open: boolean, ip: string): Promise<void> {
  authorize(actor, "settings.write");
  await inTransaction(async (tx) => {
    await setSetting(REGISTRATION_OPEN, open, tx);
    await insertAudit(
      {
        actorId: actor.id,
        action: "settings.registration",
        entity: "setting",
        entityId: REGISTRATION_OPEN,
        details: { open },
        ip,
      },
      tx,
    );
  });
}

export type UserView = PublicUser & { viewsTraderIds: string[] };

/** Every user; a viewer also lists the traders attached to them. */
export async function listAllUsers(): Promise<UserView[]> {
  const [users, links] = await Promise.all([listUsers(), listViewerLinks()]);
  return users.map((u) => ({ ...u, viewsTraderIds: links.get(u.id) ?? [] }));
}

export const viewerTradersSchema = z.object({
  traderIds: z.array(z.uuid("Not a user id"), "Choose the traders as a list").max(200, "At most 200 traders"),
});

/** Attaches a viewer to exactly these traders (an empty list detaches them from all). Admins only, audited. */
export async function setViewerTraders(
  actor: Actor,
  viewerId: string,
  input: z.infer<typeof viewerTradersSchema>,
  ip: string,
): Promise<string[]> {
  authorize(actor, "user.manage");
  const traderIds = [...new Set(input.traderIds)];
  return inTransaction(async (tx) => {
    const viewer = await findUserById(viewerId, tx);
    if (!viewer) throw new NotFoundError("User");
    if (viewer.role !== "VIEWER")
      throw new ValidationError("Only a viewer can be attached to traders", { role: ["Not a viewer"] });
    const traders = await countTradersAmong(traderIds, tx);
    if (traders !== traderIds.length)
      throw new ValidationError("Every chosen user must be a trader", { traderIds: ["Not a trader"] });
    await replaceViewerLinks(tx, viewerId, traderIds);
    await insertAudit(
      {
        actorId: actor.id,
        action: "user.viewer_traders",
        entity: "user",
        entityId: viewerId,
        details: { traderIds },
        ip,
      },
      tx,
    );
    return traderIds;
  });
}

export async function createUser(
  actor: Actor,
  input: z.infer<typeof createUserSchema>,
  ip: string,
): Promise<PublicUser> {
  authorize(actor, "user.manage");
  const passwordHash = await hashPassword(input.password);
  try {
    return await inTransaction(async (tx) => {
      const user = await insertUser(tx, { email: input.email, name: input.name, passwordHash, role: input.role });
      await insertAudit(
        {
          actorId: actor.id,
          action: "user.create",
          entity: "user",
          entityId: user.id,
          details: { email: user.email, role: user.role },
          ip,
        },
        tx,
      );
      return user;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw emailTaken();
    throw e;
  }
}

/** Re-role, (de)activate or rename a user. The last active admin cannot demote or deactivate themselves away. */
export async function changeUser(
  actor: Actor,
  id: string,
  input: z.infer<typeof updateUserSchema>,
  ip: string,
): Promise<PublicUser> {
  authorize(actor, "user.manage");
  return inTransaction(async (tx) => {
    await lockExclusive(tx, "lastAdmin");
    const before = await findUserById(id, tx);
    if (!before) throw new NotFoundError("User");
    const losesAdmin =
      before.role === "ADMIN" && before.active && (input.active === false || (input.role && input.role !== "ADMIN"));
    if (losesAdmin && (await countAdmins(tx)) <= 1) {
      throw new ConflictError("At least one active admin must remain", { role: ["Last active admin"] });
    }
    const user = await updateUser(tx, id, input);
    // Viewer attachments only mean something between a VIEWER and a TRADER: a re-role drops them.
    if (input.role && input.role !== before.role) await deleteViewerLinksOf(id, tx);
    await insertAudit(
      {
        actorId: actor.id,
        action: "user.update",
        entity: "user",
        entityId: id,
        details: { from: { role: before.role, active: before.active }, to: input },
        ip,
      },
      tx,
    );
    return user;
  });
}

export async function changePassword(
  actor: Actor,
  input: z.infer<typeof changePasswordSchema>,
  ip: string,
): Promise<void> {
  const user = await findUserById(actor.id);
  if (!user) throw new NotFoundError("User");
  // Spent before the check: a stolen session must not become an unlimited current-password oracle.
  const retry = await spendPasswordChangeAttempt(user.id);
  if (retry > 0)
    throw new RateLimitedError(`Too many password change attempts. Try again in ${formatWait(retry)}.`, retry);
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new ValidationError("Current password is incorrect", { currentPassword: ["Incorrect password"] });
  }
  await clearPasswordChangeAttempts(user.id);
  await setPasswordHash(user.id, await hashPassword(input.newPassword));
  await insertAudit({ actorId: user.id, action: "user.password_change", entity: "user", entityId: user.id, ip });
}
