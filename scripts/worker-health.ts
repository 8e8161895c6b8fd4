/**
 * Compose healthcheck of a worker container: healthy while a worker on this host keeps its heartbeat fresh in Redis
 * (the key expires after three missed beats, so a hung or crashed worker turns unhealthy). Exit 0 healthy, 1 not.
 */
import { hostname } from "node:os";
import { disconnectRedis } from "@/lib/redis";
import { workerBeats } from "@/lib/services/system";

let healthy = false;
try {
  healthy = (await workerBeats()).some((b) => b.hostname === hostname());
} catch (err) {
  console.error(`worker health: ${err instanceof Error ? err.message : String(err)}`);
}
await disconnectRedis().catch(() => undefined);
process.exit(healthy ? 0 : 1);
