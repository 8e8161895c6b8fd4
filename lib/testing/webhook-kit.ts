/**
 * Shared set-up of the webhook tests (never used by product code): the alert route behind a plain node:http server,
 * so bodies, content types and lengths cross a real socket as a sender's would; webhooks stored as the management
 * service stores them; and a real signal worker in the test process.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough, Readable } from "node:stream";
import { db } from "@/lib/db/client";
import { QUEUES } from "@/lib/queues/registry";
import { startQueueWorker } from "./queue-worker";
import { encryptHmacSecret, newWebhookToken } from "@/lib/services/webhooks";
import { POST as hookRoute } from "@/app/api/hooks/[token]/route";
import { makeSignalProcessor } from "@/workers/processors/signals";
import { ironCondor, linkAccounts, startDispatchWorker } from "./dispatch-kit";
import { makeStrategy, startExitWorker } from "./exits-kit";
import { startFillsWorker } from "./fills-kit";
import { makeUser } from "./fixtures";
import type { IntegrationWorld } from "./integration-world";
import type { InstanceConfig } from "@/lib/simulator/types";

/**
 * The request as a web Request. The body streams through a pass-through, so a handler that stops reading (413) ends
 * that stream, not the socket: the rest of the upload is drained and the sender gets the answer, as behind a proxy.
 */
function toRequest(req: IncomingMessage, origin: string): Request {
  const pass = new PassThrough();
  req.pipe(pass);
  pass.on("error", () => undefined);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(pass) as ReadableStream) : undefined,
    duplex: "half",
  } as RequestInit);
}

/** The alert route on a local port; `url(token)` is where a sender posts. */
export async function startHookServer() {
  const server: Server = createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    const token = decodeURIComponent((req.url ?? "").replace(/^\/api\/hooks\//, "").split("?")[0]);
    void (async () => {
      const answer =
        req.method === "POST"
          ? await hookRoute(toRequest(req, origin), { params: Promise.resolve({ token }) })
          : new Response(null, { status: 405 });
      req.unpipe();
      req.resume();
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch((err) => {
      res.writeHead(599);
      res.end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (token: string) => `${base}/api/hooks/${encodeURIComponent(token)}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Posts an alert as a sender would; `ip` is the address the trusted proxy reports (X-Forwarded-For). */
export async function postAlert(
  url: string,
  body: string | Uint8Array,
  opts: { contentType?: string | null; ip?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "x-forwarded-for": opts.ip ?? "52.89.214.238", ...opts.headers };
  const ct = opts.contentType === undefined ? "application/json" : opts.contentType;
  if (ct !== null) headers["content-type"] = ct;
  // fetch labels a string body text/plain on its own: with no content type, send it as bytes.
  const raw = ct === null && typeof body === "string" ? new TextEncoder().encode(body) : body;
  const res = await fetch(url, { method: "POST", headers, body: raw as BodyInit });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: res.status, json, headers: res.headers };
}

export type WebhookOptions = Partial<{
  mode: "LONG" | "SHORT" | "BOTH";
  pyramiding: boolean;
  maxEntries: number;
  maxLagSeconds: number;
  dedupeSeconds: number;
  allowedIps: string[];
  hmacSecret: string;
  enabled: boolean;
}>;

/** Stores a webhook for `strategy` (as the management service does) and returns its URL token. */
export async function makeWebhook(strategy: { id: string; ownerId: string }, opts: WebhookOptions = {}) {
  const { token, hash, hint } = newWebhookToken();
  const { hmacSecret, ...rest } = opts;
  const hook = await db().strategyWebhook.create({
    data: { strategyId: strategy.id, ownerId: strategy.ownerId, tokenHash: hash, tokenHint: hint, ...rest },
  });
  if (hmacSecret)
    await db().strategyWebhook.update({
      where: { id: hook.id },
      data: { hmacSecret: encryptHmacSecret(hook.id, hmacSecret) },
    });
  return { token, hookId: hook.id };
}

/** A real signal worker (as workers/index.ts runs it), re-checking a waiting reverse every `recheckMs`. */
export async function startSignalWorker(recheckMs = 100) {
  const { errors, close } = await startQueueWorker(QUEUES.signals, makeSignalProcessor(recheckMs), 20);
  return { errors, close };
}

/** A trader linked to `instances` of the world's simulator, an iron condor over those accounts, and its webhook. */
export async function condorWithWebhook(
  world: IntegrationWorld,
  instances: InstanceConfig[],
  opts: WebhookOptions = {},
) {
  const user = await makeUser("TRADER");
  await linkAccounts(world.sim, user, instances);
  const strategy = await makeStrategy(user, ironCondor());
  return { user, strategy, ...(await makeWebhook({ id: strategy.id, ownerId: user.id }, opts)) };
}

/**
 * The workers an alert's journey runs through — dispatch, exits, fills and (unless `signals: false`, for tests that
 * hand alerts on themselves) signals — and a hook server, all stopped after the test. Returns the server.
 */
export async function startAlertPipeline(world: IntegrationWorld, opts: { signals?: boolean } = {}) {
  world.stopAfterTest(await startDispatchWorker());
  world.stopAfterTest(await startExitWorker());
  if (opts.signals !== false) world.stopAfterTest(await startSignalWorker());
  world.stopAfterTest(await startFillsWorker());
  return world.stopAfterTest(await startHookServer());
}
