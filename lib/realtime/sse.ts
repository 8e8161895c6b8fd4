/**
 * Server-Sent Events framing for route handlers: a ReadableStream that writes `data:` frames, a comment heartbeat
 * (proxies close idle streams), and runs `cleanup` when the browser goes away or the stream is ended.
 */
export interface SseOptions {
  /** Heartbeat interval, ms. */
  heartbeatMs: number;
  /**
   * Asked before every heartbeat: false ends the stream (with an `end` event naming `reason`), so a session that
   * was revoked while the stream was open stops receiving within one heartbeat.
   */
  stillAllowed?: () => Promise<boolean>;
  /** Runs once when the stream closes, for whatever reason (after `start`'s cleanup). */
  onClose?: () => void;
  /**
   * Bytes that may wait for a client that does not read (its socket is full) before the stream is ended; writes
   * never wait, so one slow client never delays the fan-out to the others. Default SSE_DEFAULT_QUEUE_BYTES.
   */
  maxQueuedBytes?: number;
}

/** Default for `maxQueuedBytes`: a few seconds of a busy desk's events. */
export const SSE_DEFAULT_QUEUE_BYTES = 512 * 1024;

/** A frame's SSE options: a named event (`event:` line) and an id the browser echoes back as `Last-Event-ID`. */
export interface SseFrame {
  event?: string;
  id?: string;
}

/** Sends one frame; `data` is sent as JSON, or as it is when it is a PreparedFrame. */
export type SseSend = (data: unknown, frame?: SseFrame) => void;

const encoder = new TextEncoder();

/**
 * A frame formatted and encoded once for many streams: a fan-out of one message to hundreds of streams then costs
 * one JSON.stringify and one encode, not one per stream. The bytes are only read, never changed, by the streams.
 */
export class PreparedFrame {
  readonly bytes: Uint8Array;
  constructor(data: unknown, frame: SseFrame = {}) {
    this.bytes = encoder.encode(sseFrame(data, frame));
  }
}

/** Formats one SSE frame. */
export function sseFrame(data: unknown, frame: SseFrame = {}): string {
  return `${frame.id !== undefined ? `id: ${frame.id}\n` : ""}${frame.event ? `event: ${frame.event}\n` : ""}data: ${JSON.stringify(data)}\n\n`;
}

export const SESSION_ENDED = { reason: "session-ended", message: "Your session ended; sign in again." } as const;

export async function sseResponse(
  signal: AbortSignal,
  start: (send: SseSend) => Promise<() => Promise<void>>,
  options: SseOptions,
): Promise<Response> {
  // The response (and with it the headers, on which a browser's EventSource reports "open") is only handed out once
  // the subscription is live, so a client that saw the stream open misses no later event; a subscription that fails
  // is the route's error answer, not a stream that dies at once.
  let live!: () => void;
  let failed!: (e: unknown) => void;
  const subscribed = new Promise<void>((resolve, reject) => ((live = resolve), (failed = reject)));
  let cleanup: (() => Promise<void>) | undefined;
  let heartbeat: ReturnType<typeof setTimeout> | undefined;
  let released = false;
  let releasing: Promise<void> | undefined;
  // Idempotent: the abort signal, the stream's cancel, a failed session check and a failed start may all end it;
  // every caller waits for the one cleanup.
  const release = () =>
    (releasing ??= (async () => {
      released = true;
      clearTimeout(heartbeat);
      try {
        await cleanup?.();
      } finally {
        options.onClose?.();
      }
    })());
  const maxQueued = options.maxQueuedBytes ?? SSE_DEFAULT_QUEUE_BYTES;
  const stream = new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        // Frames of one event-loop turn leave as one chunk: a burst of ticks (a whole chain moves at once) costs each
        // stream one enqueue and one socket write instead of one per frame. No frame waits for a timer.
        let pending: Uint8Array[] = [];
        let pendingBytes = 0;
        let flushing = false;
        const flush = () => {
          flushing = false;
          if (released || pending.length === 0) return;
          let chunk = pending[0];
          if (pending.length > 1) {
            chunk = new Uint8Array(pendingBytes);
            let at = 0;
            for (const p of pending) {
              chunk.set(p, at);
              at += p.byteLength;
            }
          }
          pending = [];
          pendingBytes = 0;
          try {
            controller.enqueue(chunk);
          } catch {
            // The stream was closed by the client between the event and the write.
            return;
          }
          // desiredSize = maxQueued − bytes waiting: below zero the client has stopped reading. Drop it (its queue
          // with it) rather than buffer without bound; the browser reconnects and resumes from its Last-Event-ID.
          if ((controller.desiredSize ?? 0) < 0) {
            void release();
            try {
              controller.error(new Error("client too slow: live stream ended"));
            } catch {
              // Already closed.
            }
          }
        };
        const write = (text: string | Uint8Array) => {
          if (released) return;
          const bytes = typeof text === "string" ? encoder.encode(text) : text;
          pending.push(bytes);
          pendingBytes += bytes.byteLength;
          if (!flushing) {
            flushing = true;
            setImmediate(flush);
          }
        };
        const close = async () => {
          flush(); // what was written before the end (an `end` event) still goes out
          await release();
          try {
            controller.close();
          } catch {
            // Already closed.
          }
        };
        // One heartbeat at a time (a slow session check never overlaps the next), rescheduled after each.
        const beat = async () => {
          if (released) return;
          let allowed = true;
          try {
            allowed = options.stillAllowed ? await options.stillAllowed() : true;
          } catch {
            allowed = false; // cannot confirm the session (database down): fail closed, the browser reconnects
          }
          if (!allowed) {
            write(`event: end\ndata: ${JSON.stringify(SESSION_ENDED)}\n\n`);
            await close();
            return;
          }
          write(": ping\n\n");
          if (!released) heartbeat = setTimeout(() => void beat(), options.heartbeatMs);
        };
        signal.addEventListener("abort", () => void close(), { once: true });
        let stop: () => Promise<void>;
        try {
          stop = await start((data, frame) =>
            write(data instanceof PreparedFrame ? data.bytes : sseFrame(data, frame)),
          );
        } catch (e) {
          await close();
          failed(e);
          return;
        }
        live();
        if (released) {
          await stop(); // ended while subscribing
          return;
        }
        cleanup = stop;
        write("retry: 2000\n\n");
        if (signal.aborted) {
          await close();
          return;
        }
        heartbeat = setTimeout(() => void beat(), options.heartbeatMs);
      },
      cancel: () => release(),
    },
    { highWaterMark: maxQueued, size: (chunk) => chunk.byteLength },
  );
  await subscribed;
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}
