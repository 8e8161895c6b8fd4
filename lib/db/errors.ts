/** True when `e` is Prisma's unique-constraint violation (P2002). Services map it to their own conflict errors. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "P2002";
}
