/**
 * `npm run keys:rotate`: re-encrypts every stored broker credential and webhook signing secret under the newest key in
 * CREDENTIAL_KEYS, and
 * (re)computes each account's credential fingerprint under it (also filling fingerprints of rows saved before they
 * existed).
 * Each row is re-encrypted and verified in one transaction; nothing is lost if it stops half-way (rows keep a
 * readable older version until rewritten). Remove an old key version only after this reports zero rows on it.
 */
import { env } from "@/lib/env";
import { disconnectDb } from "@/lib/db/client";
import { rotateCredentials } from "@/lib/services/broker-access";
import { rotateWebhookSecrets } from "@/lib/services/webhooks";

async function main() {
  const ring = env().CREDENTIAL_KEYS;
  const report = await rotateCredentials(ring);
  console.log(
    `re-encrypted ${report.rotated} credential(s) under key v${ring.current}; ${report.alreadyCurrent} already current`,
  );
  if (report.failed.length) {
    console.error(
      `could not decrypt ${report.failed.length} credential(s) with the configured keys: ${report.failed.join(", ")}`,
    );
    process.exitCode = 1;
  }
  const hooks = await rotateWebhookSecrets(ring);
  console.log(
    `re-encrypted ${hooks.rotated} webhook signing secret(s) under key v${ring.current}; ${hooks.alreadyCurrent} already current`,
  );
  if (hooks.failed.length) {
    console.error(
      `could not decrypt ${hooks.failed.length} webhook signing secret(s) with the configured keys: ${hooks.failed.join(", ")}`,
    );
    process.exitCode = 1;
  }
  if (report.duplicates.length) {
    console.error(
      `${report.duplicates.length} account(s) link the same host and API key as another account; unlink one of each pair: ${report.duplicates.join(", ")}`,
    );
    process.exitCode = 1;
  }
}

main()
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  })
  .finally(() => disconnectDb());
