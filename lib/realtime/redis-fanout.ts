/**
 * One Redis subscriber connection per process, fanned out in memory. Every SSE stream of this process listens
 * through it, so open streams cost no Redis connections: a channel is subscribed while at least one listener
 * wants it and unsubscribed when the last one leaves. ioredis re-subscribes on its own after a reconnect.
 */
import type { Redis } from "ioredis";
import { createBlockingRedis } from "@/lib/redis";

type Listener = (message: string) => void;

interface ChannelState {
  listeners: Set<Listener>;
  /** Whether Redis currently has this channel subscribed (as far as the serialized commands below got). */
  subscribed: boolean;
  /** Subscribe/unsubscribe commands of this channel run one after another, so a quick leave + join never loses it. */
  chain: Promise<void>;
}

export class RedisFanout {
  private connection: Redis | undefined;
  private readonly channels = new Map<string, ChannelState>();

  constructor(private readonly connect: () => Redis = () => createBlockingRedis({ connectionName: "md-sse-fanout" })) {}

  private redis(): Redis {
    if (!this.connection) {
      const conn = this.connect();
      conn.on("message", (channel: string, message: string) => {
        for (const listener of this.channels.get(channel)?.listeners ?? []) {
          try {
            listener(message);
          } catch {
            // One listener's failure must not starve the others.
          }
        }
      });
      conn.on("error", () => undefined); // ioredis reconnects on its own; an unhandled error would crash the process
      this.connection = conn;
    }
    return this.connection;
  }

  /** Listens to `channel`; resolves once Redis has the subscription. Returns the function that stops listening. */
  async subscribe(channel: string, listener: Listener): Promise<() => Promise<void>> {
    const state = this.channels.get(channel) ?? { listeners: new Set(), subscribed: false, chain: Promise.resolve() };
    this.channels.set(channel, state);
    state.listeners.add(listener);
    try {
      await this.sync(channel, state);
    } catch (e) {
      state.listeners.delete(listener);
      await this.sync(channel, state).catch(() => undefined);
      throw e;
    }
    let left = false;
    return async () => {
      if (left) return;
      left = true;
      // One round trip on the subscriber connection first: every message Redis sent before this point arrives
      // ahead of the reply, so a listener that stops after seeing a change in the database still gets its event.
      await this.redis()
        .ping()
        .catch(() => undefined);
      state.listeners.delete(listener);
      await this.sync(channel, state);
    };
  }

  /** Listeners currently attached (all channels). */
  listenerCount(): number {
    let n = 0;
    for (const s of this.channels.values()) n += s.listeners.size;
    return n;
  }

  private sync(channel: string, state: ChannelState): Promise<void> {
    state.chain = state.chain.then(async () => {
      const wanted = state.listeners.size > 0;
      if (wanted && !state.subscribed) {
        await this.redis().subscribe(channel);
        state.subscribed = true;
      } else if (!wanted && state.subscribed) {
        state.subscribed = false;
        await this.redis()
          .unsubscribe(channel)
          .catch(() => undefined);
      }
      if (!wanted && !state.subscribed && this.channels.get(channel) === state) this.channels.delete(channel);
    });
    const done = state.chain;
    // A failed command must not poison later commands of the channel; the caller still sees the failure.
    state.chain = done.catch(() => undefined);
    return done;
  }

  async close(): Promise<void> {
    const conn = this.connection;
    this.connection = undefined;
    this.channels.clear();
    if (conn) await conn.quit().catch(() => conn.disconnect());
  }
}

const holder = globalThis as unknown as { mirrordeskFanout?: RedisFanout };

/** The process's fan-out (kept on globalThis so Next's dev reloads do not open a second connection). */
export function fanout(): RedisFanout {
  return (holder.mirrordeskFanout ??= new RedisFanout());
}

/** Closes the process's subscriber connection (tests, graceful shutdown). */
export async function closeFanout(): Promise<void> {
  const f = holder.mirrordeskFanout;
  holder.mirrordeskFanout = undefined;
  await f?.close();
}
