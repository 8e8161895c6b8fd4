import { route } from "@/lib/http/route";
import { userEventStream } from "@/lib/http/user-event-stream";
import { chainQuerySchema, loadChainState, openChainStream } from "@/lib/services/option-chain";

export const dynamic = "force-dynamic";

/**
 * A live option chain as Server-Sent Events: the view around the live ATM, then quote and stale-mark deltas of its
 * contracts (one shared Redis subscriber per process; a per-user stream cap; the session re-checked on every
 * heartbeat). The chain is read before the stream opens, so a bad underlying or expiry answers 4xx, not a dead stream.
 */
export const GET = route({ query: chainQuerySchema }, async ({ req, user, query }) => {
  const state = await loadChainState(user, query);
  return userEventStream(req, user, (send) => openChainStream(state, send));
});
