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
  // First-use costs of the trigger path (pool connections, its queries, Redis, the dispatch queue, adapters) are paid
  // before the first request (docs/performance.md "Warm-up at start"). It never throws and gives up after a deadline.
  const [{ warmUp, WEB_WARM_UP_DEADLINE_MS }, { log }] = await Promise.all([
    import("@/lib/services/system"),
    import("@/lib/log"),
  ]);
  const steps = await warmUp({ deadlineMs: WEB_WARM_UP_DEADLINE_MS });
  log().info({ steps }, "warm-up done");
}
