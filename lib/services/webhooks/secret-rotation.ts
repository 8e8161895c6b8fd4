import { keyVersionOf, type KeyRing } from "@/lib/crypto/credentials";
import { listWebhookSecrets, replaceWebhookSecretIfUnchanged } from "@/lib/db/queries/webhooks-admin";
import { decryptHmacSecretWith, encryptHmacSecretWith } from "./token";

/**
 * Re-encrypts every webhook signing secret under the ring's current key version (`npm run keys:rotate`). A row is
 * rewritten only if it still holds what was read, and only after the new value is checked to decrypt.
 */
export async function rotateWebhookSecrets(
  ring: KeyRing,
): Promise<{ rotated: number; alreadyCurrent: number; failed: string[] }> {
  const report = { rotated: 0, alreadyCurrent: 0, failed: [] as string[] };
  for (const row of await listWebhookSecrets()) {
    if (keyVersionOf(row.hmacSecret) === ring.current) {
      report.alreadyCurrent += 1;
      continue;
    }
    try {
      const plain = decryptHmacSecretWith(ring, row.id, row.hmacSecret);
      const next = encryptHmacSecretWith(ring, row.id, plain);
      if (decryptHmacSecretWith(ring, row.id, next) !== plain) throw new Error("does not read back");
      if (await replaceWebhookSecretIfUnchanged(row.id, row.hmacSecret, next)) report.rotated += 1;
    } catch {
      report.failed.push(row.id);
    }
  }
  return report;
}
