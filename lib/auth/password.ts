import bcrypt from "bcryptjs";
import { z } from "zod";

/** bcrypt cost 11 ≈ 150 ms with bcryptjs on these machines: slow enough to resist guessing, fast enough to log in. */
const COST = 11;

export const passwordSchema = z
  .string()
  .min(10, "Password must be at least 10 characters")
  .max(200, "Password must be at most 200 characters")
  .refine((p) => p.trim().length === p.length, "Password must not start or end with spaces");

export function hashPassword(plain: string): Promise<string> {
  return bcrypt.hash(plain, COST);
}

export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return bcrypt.compare(plain, hash);
}

/** A real bcrypt hash of a random string: compared against when the email is unknown, so timing does not tell. */
export const DUMMY_HASH = "$2b$11$A9TX9zpPh2qMwLUMtXPzbOFuvGNOKGcHy4HbZndQZ5scvJjcp9Co2";
