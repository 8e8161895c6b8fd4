/** A feed kind's status in Redis (`LIVE.feedStatus`), written on every change and refreshed by every re-read. */
import { log } from "@/lib/log";
import { redis } from "@/lib/redis";
import type { FeedKind } from "../source";
import { LIVE, type FeedStatus } from "./contract";

export class StatusWriter {
  private status: FeedStatus;

  /** `ttlMs`: the key expires this long after the last write, so a dead leader's status does not linger. */
  constructor(
    private readonly kind: FeedKind,
    private readonly ttlMs: number,
  ) {
    this.status = {
      kind,
      accountId: null,
      host: null,
      state: "connecting",
      since: new Date().toISOString(),
      subscribed: 0,
      reason: null,
    };
  }

  get current(): FeedStatus {
    return this.status;
  }

  /** Writes the status; an unchanged state keeps its `since`. Source and count only mean something when live. */
  set(
    state: FeedStatus["state"],
    reason: string | null,
    live: { accountId: string; host: string; subscribed: number } | null = null,
  ): void {
    const on = state === "live" ? live : null;
    this.status = {
      kind: this.kind,
      accountId: on?.accountId ?? null,
      host: on?.host ?? null,
      state,
      since: this.status.state === state ? this.status.since : new Date().toISOString(),
      subscribed: on?.subscribed ?? 0,
      reason,
    };
    redis()
      .set(LIVE.feedStatus(this.kind), JSON.stringify(this.status), "PX", this.ttlMs)
      .catch((err) => log().warn({ err, kind: this.kind }, "feed status not stored"));
  }
}
