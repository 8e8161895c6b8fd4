/**
 * Server-Sent Events framing for route handlers: a ReadableStream that writes `data:` frames, a comment heartbeat
 * every 15 s (proxies close idle streams), and runs `cleanup` when the browser goes away.
 */
export function sseResponse(
  signal: AbortSignal,
  start: (send: (data: unknown) => void) => Promise<() => Promise<void>>,
): Response {
  const encoder = new TextEncoder();
  let cleanup: (() => Promise<void>) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // The stream was closed by the client between the event and the write.
        }
      };
      const close = async () => {
        clearInterval(heartbeat);
        await cleanup?.();
        try {
          controller.close();
        } catch {
          // Already closed.
        }
      };
      signal.addEventListener("abort", () => void close(), { once: true });
      cleanup = await start((data) => write(`data: ${JSON.stringify(data)}\n\n`));
      // Sent once the subscription is live: a client that saw this frame misses no later event.
      write("retry: 2000\n\n");
      heartbeat = setInterval(() => write(": ping\n\n"), 15_000);
      if (signal.aborted) await close();
    },
  });
  return new Response(stream, {
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", Connection: "keep-alive", "X-Accel-Buffering": "no" },
  });
}
