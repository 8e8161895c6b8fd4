/**
 * The native front-ends' WebSocket seam: upgrades reach the front-end whose prefix they are under, others are refused
 * with an HTTP 404, and the tracked sockets answer the drop and stall controls.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import type { InstanceState } from "@/lib/simulator/types";
import { type NativeBase, nativeHandler, type NativeFrontEnd } from "./front-end";
import { NativeSockets } from "./sockets";

const instance = { id: "seam", faults: { wsStall: false, wsDropAfterMs: 0 } } as unknown as InstanceState;
const sockets = new NativeSockets();
let received = 0;

const streaming: NativeFrontEnd = {
  prefix: "/streams",
  handle: (_req, res) => res.end(),
  upgrade(req, socket, head, path, query, ctx) {
    if (path !== "/ws" || query.get("token") !== "good") return NativeSockets.refuse(socket, 403, '{"error":"token"}');
    ctx.sockets.accept(req, socket, head, (ws) => {
      ctx.sockets.track(instance, ws);
      ws.on("message", () => {
        received++;
        if (!ctx.sockets.silent(instance)) ws.send(`pong ${received}`);
      });
    });
  },
};
const plain: NativeFrontEnd = { prefix: "/plain", handle: (_req, res) => res.end() };

let server: Server;
let base = "";
beforeAll(async () => {
  const native = nativeHandler([streaming, plain], { sockets } as unknown as NativeBase);
  server = createServer((_req, res) => res.end());
  server.on("upgrade", (req, socket, head) => {
    if (!native.upgrade(req, socket, head)) NativeSockets.refuse(socket, 404);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  sockets.close();
  await new Promise((r) => server.close(r));
});

/** The HTTP status an upgrade was refused with (0 when it opened). */
function handshake(url: string): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once("open", () => resolve({ status: 0, ws }));
    ws.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? -1 }));
    ws.once("error", () => undefined);
  });
}

const reply = (ws: WebSocket) => new Promise<string>((r) => ws.once("message", (m) => r(String(m))));

describe("native WebSocket seam", () => {
  it("refuses upgrades outside every prefix, under a front-end without streams, and those the front-end refuses", async () => {
    expect((await handshake(`${base}/nowhere`)).status).toBe(404);
    expect((await handshake(`${base}/plain/ws`)).status).toBe(404);
    expect((await handshake(`${base}/streams/ws?token=bad`)).status).toBe(403);
  });

  it("hands an upgrade to its front-end, and the controls drop and stall the tracked sockets", async () => {
    const { status, ws } = await handshake(`${base}/streams/ws?token=good`);
    expect(status).toBe(0);
    ws!.send("ping");
    expect(await reply(ws!)).toBe("pong 1");
    expect(sockets.connections()).toBe(1);

    // Stalled: the message is handled (the server counts it) and nothing is sent back.
    sockets.setStalled(true);
    ws!.send("ping");
    await vi.waitFor(() => expect(received).toBe(2));
    sockets.setStalled(false);
    ws!.send("ping");
    expect(await reply(ws!)).toBe("pong 3");

    expect((await handshake(`${base}/streams/ws?token=good`)).status).toBe(0);
    expect(sockets.connections()).toBe(2);

    const closed = new Promise<number>((r) => ws!.once("close", (code) => r(code)));
    expect(sockets.dropAll("elsewhere")).toBe(0);
    expect(sockets.dropAll(instance.id)).toBe(2);
    expect(await closed).toBe(1006);
  });
});
