/**
 * Runs once when the Next.js server starts, before it takes requests: the web app parses its environment here, so
 * it refuses to start (naming every missing or invalid variable, e.g. CREDENTIAL_KEYS) instead of failing per request.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env, EnvError, isBuildPhase } = await import("@/lib/env");
  if (isBuildPhase()) return;
  try {
    env();
  } catch (e) {
    if (!(e instanceof EnvError)) throw e;
    console.error(`MirrorDesk web cannot start.\n${e.message}`);
    process.exit(1);
  }
}
