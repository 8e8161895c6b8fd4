/**
 * A local Telegram Bot API server for tests (never used by product code): `POST /bot<token>/<method>` with a JSON (or
 * form) body, answering like the real one — `{ ok: true, result }` for getMe and sendMessage, and its real error
 * shapes: 401 `Unauthorized` for an unknown token, 400 `Bad Request: chat not found`, 429 `Too Many Requests: retry
 * after N` with `parameters.retry_after`, 404 `Not Found` for anything else. It records every call it receives.
 *
 * Scripted trouble: `failNext(n, …)` answers the next n sendMessage calls with an error, `setDown(true)` closes every
 * new connection at once (a Bot API outage), `setHang(true)` never answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface BotApiCall {
  token: string;
  method: string;
  /** The path as received (the token is in it, as the Bot API wants). */
  path: string;
  params: Record<string, unknown>;
  at: number;
  /** The HTTP status answered (unset while unanswered). */
  status?: number;
}

export interface BotApiError {
  status: number;
  description: string;
  retryAfter?: number;
}

export interface BotApiServer {
  url: string;
  port: number;
  calls: BotApiCall[];
  /** sendMessage calls that delivered a message: chat id and text. */
  messages(): { token: string; chatId: string; text: string; at: number }[];
  addBot(token: string, username?: string): void;
  addChat(chatId: string | number): void;
  failNext(count: number, error: BotApiError): void;
  setDown(down: boolean): void;
  setHang(hang: boolean): void;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const error = (res: ServerResponse, e: BotApiError) =>
  json(res, e.status, {
    ok: false,
    error_code: e.status,
    description: e.description,
    ...(e.retryAfter !== undefined ? { parameters: { retry_after: e.retryAfter } } : {}),
  });

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (!text) return params;
  if ((req.headers["content-type"] ?? "").includes("application/json")) return { ...params, ...JSON.parse(text) };
  return { ...params, ...Object.fromEntries(new URLSearchParams(text)) };
}

export async function startBotApiServer(port = 0): Promise<BotApiServer> {
  const bots = new Map<string, { id: number; username: string }>();
  const chats = new Set<string>();
  const calls: BotApiCall[] = [];
  const scripted: BotApiError[] = [];
  const sockets = new Set<Socket>();
  let down = false;
  let hang = false;
  let messageId = 0;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return error(res, { status: 404, description: "Not Found" });
    const [, token, method] = m;
    let params: Record<string, unknown>;
    try {
      params = await readParams(req, url);
    } catch {
      return error(res, { status: 400, description: "Bad Request: can't parse JSON object" });
    }
    const call: BotApiCall = { token, method, path: url.pathname, params, at: Date.now() };
    calls.push(call);
    res.on("finish", () => (call.status = res.statusCode));
    if (hang) return; // never answered: the caller's timeout decides
    const bot = bots.get(token);
    if (!bot) return error(res, { status: 401, description: "Unauthorized" });
    const me = { id: bot.id, is_bot: true, first_name: "MirrorDesk test bot", username: bot.username };
    if (method === "getMe")
      return json(res, 200, {
        ok: true,
        result: { ...me, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false },
      });
    if (method !== "sendMessage") return error(res, { status: 404, description: "Not Found" });
    const next = scripted.shift();
    if (next) return error(res, next);
    const chatId = String(params.chat_id ?? "");
    if (!chatId) return error(res, { status: 400, description: "Bad Request: chat_id is empty" });
    if (typeof params.text !== "string" || params.text.trim() === "")
      return error(res, { status: 400, description: "Bad Request: message text is empty" });
    if (params.text.length > 4096) return error(res, { status: 400, description: "Bad Request: message is too long" });
    if (!chats.has(chatId)) return error(res, { status: 400, description: "Bad Request: chat not found" });
    messageId += 1;
    return json(res, 200, {
      ok: true,
      result: {
        message_id: messageId,
        from: me,
        chat: { id: Number(chatId), first_name: "Trader", type: "private" },
        date: Math.floor(Date.now() / 1000),
        text: params.text,
      },
    });
  });
  server.on("connection", (s) => {
    if (down) return s.destroy();
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  let nextBotId = 7_000_000;

  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    calls,
    messages: () =>
      calls
        .filter((c) => c.method === "sendMessage" && c.status === 200)
        .map((c) => ({ token: c.token, chatId: String(c.params.chat_id), text: String(c.params.text), at: c.at })),
    addBot: (token, username = "mirrordesk_test_bot") => void bots.set(token, { id: (nextBotId += 1), username }),
    addChat: (chatId) => void chats.add(String(chatId)),
    failNext: (count, e) => {
      for (let i = 0; i < count; i++) scripted.push(e);
    },
    setDown: (d) => {
      down = d;
      if (d) for (const s of sockets) s.destroy();
    },
    setHang: (h) => void (hang = h),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
