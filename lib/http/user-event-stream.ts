/**
 * Live streams of signed-in users: at most `SSE_MAX_STREAMS_PER_USER` open at once per user in this web process
 * (the next one is refused with 429), and the session behind each stream is re-checked on every heartbeat, so a
 * deactivated user, a bumped session version or a revoked session stops receiving within `SSE_HEARTBEAT_MS`.
 */
import { sessionUserFromRequest, type SessionUser } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { RateLimitedError } from "@/lib/errors";
import { sseResponse, type SseSend } from "@/lib/realtime/sse";

const holder = globalThis as unknown as { mirrordeskUserStreams?: Map<string, number> };
const open = () => (holder.mirrordeskUserStreams ??= new Map());

/** Streams `userId` has open in this process. */
export function openStreamCount(userId: string): number {
  return open().get(userId) ?? 0;
}

/**
 * Opens an SSE response for `user` fed by `subscribe` (which resolves once it is live and returns its stop
 * function). Throws RateLimitedError (429) when the user already has the maximum number of streams open.
 */
export async function userEventStream(
  req: Request,
  user: SessionUser,
  subscribe: (send: SseSend) => Promise<() => Promise<void>>,
): Promise<Response> {
  const { SSE_MAX_STREAMS_PER_USER: max, SSE_HEARTBEAT_MS: heartbeatMs, SSE_MAX_QUEUE_BYTES: maxQueuedBytes } = env();
  const streams = open();
  const count = streams.get(user.id) ?? 0;
  if (count >= max) {
    throw new RateLimitedError(`Too many live streams open (at most ${max}); close another tab and retry`, 5);
  }
  streams.set(user.id, count + 1);
  let released = false;
  const onClose = () => {
    if (released) return;
    released = true;
    const left = (streams.get(user.id) ?? 1) - 1;
    if (left > 0) streams.set(user.id, left);
    else streams.delete(user.id);
  };
  const stillAllowed = async () => (await sessionUserFromRequest(req))?.id === user.id;
  try {
    return await sseResponse(req.signal, subscribe, { heartbeatMs, stillAllowed, onClose, maxQueuedBytes });
  } catch (e) {
    onClose();
    throw e;
  }
}
