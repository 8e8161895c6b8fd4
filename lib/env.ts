/**
 * The only module that reads `process.env`. Each process parses the sections it needs once, on first use,
 * and refuses to start with a message that names every missing or invalid variable.
 */
import { z } from "zod";
import { CredentialKeyError, parseKeyRing, type KeyRing } from "@/lib/crypto/credentials";
import { faultsSchema } from "@/lib/simulator/fault-schema";
import { autoLoginAtSchema } from "@/lib/simulator/session-schema";

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (def: number) => z.coerce.number().int().nonnegative().default(def);

const appSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgresql:// URL" }),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// URL" }),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters"),
  AUTH_TRUST_HOST: bool.default(true),
  APP_URL: z.url().default("http://127.0.0.1:3000"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  METRICS_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined)),
  LOGIN_MAX_FAILURES_PER_EMAIL: int(5),
  LOGIN_MAX_FAILURES_PER_IP: int(20),
  WORKER_HEARTBEAT_MS: int(10_000),
  ACCOUNT_HEALTH_MS: int(30_000),
  // Dispatch jobs (one run × account each) one worker process runs at once; more processes share the rest (docs/scaling.md).
  WORKER_DISPATCH_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(200),
  // Reverse proxies in front of the web app that append to X-Forwarded-For (lib/http/errors.ts clientIp). 0 = none:
  // the header is then written by the client and is ignored.
  TRUSTED_PROXY_HOPS: int(0),
  // Requests per minute one API key may make on /api/v1 (docs/api.md).
  API_KEY_RATE_PER_MIN: int(600),
  // Alerts per minute one webhook, and one sender address over all webhooks, may post (docs/webhooks.md).
  WEBHOOK_RATE_PER_MIN: int(120),
  WEBHOOK_IP_RATE_PER_MIN: int(600),
  // Whether broker hosts may resolve to loopback, private, link-local or other non-public addresses.
  BROKER_ALLOW_PRIVATE_HOSTS: bool.default(true),
  // Unsent order slices planned longer ago than this are never sent (dispatch recovery expires them, visibly), ms.
  DISPATCH_MAX_INTENT_AGE_MS: int(300_000),
  // Plan as if the market never closed: no intraday (MIS) cut-off. For the demo and tests against a simulator that is
  // itself always open (SIM_ALWAYS_OPEN); never with real accounts.
  MARKET_ALWAYS_OPEN: bool.default(false),
  // Live (SSE) streams one user may hold open per web process, and their heartbeat (ms; the session is re-checked
  // on every heartbeat).
  SSE_MAX_STREAMS_PER_USER: int(5),
  SSE_HEARTBEAT_MS: z.coerce.number().int().min(10).default(15_000),
  /** Bytes a live stream may queue for a client that stopped reading before it is dropped (docs/live-streams.md). */
  SSE_MAX_QUEUE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(512 * 1024),

  // P&L history: a snapshot of every open run, account and strategy this often, ms (docs/market-data.md).
  MTM_SNAPSHOT_MS: z.coerce.number().int().min(250).default(5_000),

  // Stale live prices (docs/market-data.md "Stale data"): silence (ms) after which an index, and any other contract,
  // counts as stale while its market is open; and the least time (ms) between two REST quotes of one stale contract.
  MARKET_STALE_MS: z.coerce.number().int().min(500).default(5_000),
  MARKET_STALE_CONTRACT_MS: z.coerce.number().int().min(500).default(20_000),
  MARKET_STALE_REST_MS: z.coerce.number().int().min(250).default(5_000),
  // The morning readiness check starts this many minutes before the NFO session opens (docs/readiness.md).
  READINESS_LEAD_MINUTES: z.coerce.number().int().min(1).max(600).default(30),
  // Broker credentials are encrypted under these keys; without them the app refuses to start (never a silent new key).
  CREDENTIAL_KEYS: z.string().transform((spec, ctx) => {
    try {
      return parseKeyRing(spec);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: e instanceof CredentialKeyError ? e.message : "is invalid" });
      return z.NEVER;
    }
  }),
  // The worker's upstream market-data feed (docs/market-data.md "The upstream feed"): on/off; JSON ping period (a
  // ping unanswered by the next one ends the socket); time to connect and authenticate; reconnect backoff from min
  // doubling to max; periodic re-read of interest and accounts; the leader lock's lifetime (all ms).
  MARKET_FEED_ENABLED: bool.default(true),
  MARKET_FEED_HEARTBEAT_MS: z.coerce.number().int().min(50).default(10_000),
  MARKET_FEED_SETUP_TIMEOUT_MS: z.coerce.number().int().min(50).default(10_000),
  MARKET_FEED_BACKOFF_MIN_MS: z.coerce.number().int().min(10).default(1_000),
  MARKET_FEED_BACKOFF_MAX_MS: z.coerce.number().int().min(10).default(30_000),
  MARKET_FEED_RESYNC_MS: z.coerce.number().int().min(50).default(5_000),
  MARKET_FEED_LEADER_TTL_MS: z.coerce.number().int().min(300).default(15_000),

  // Notifications (docs/notifications.md): the Telegram Bot API root every bot token is sent to (and only there); the
  // server-wide SMTP server for e-mail (unset: no e-mail) and the From address; the batching window (ms) in which
  // events of one batch key fold into one message.
  TELEGRAM_API_ROOT: z
    .url({ protocol: /^https?$/, error: "must be an http(s):// URL" })
    .default("https://api.telegram.org")
    .transform((u) => u.replace(/\/+$/, "")),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL" }).optional(),
  NOTIFY_FROM: z.string().min(3).default("MirrorDesk <mirrordesk@localhost>"),
  NOTIFY_BATCH_MS: z.coerce.number().int().min(0).max(60_000).default(3_000),
});
export type AppEnv = z.infer<typeof appSchema>;

/**
 * Values that are public (this repository's examples, demo and test configuration) and so must never protect a
 * production deployment. Compared exactly; `change-me`-style and low-variety values are caught by {@link isPlaceholder}.
 */
const PUBLIC_SECRETS = new Set([
  "change-me-to-a-long-random-string-of-32-chars",
  "change-me-sim-admin-token",
  "test-secret-test-secret-test-secret-0123",
  "test-sim-admin-token",
  "demo-simulator-admin-token",
  "integration-admin-token",
]);
const PUBLIC_CREDENTIAL_KEYS = new Set(["dGVzdC1vbmx5LWNyZWRlbnRpYWwta2V5LTMyYnl0ZXM="]);

/** A secret that is an example value, says "change me", or has too little variety to be random (e.g. 32 × "x"). */
export function isPlaceholder(secret: string): boolean {
  return PUBLIC_SECRETS.has(secret) || /change-?me|placeholder|example/i.test(secret) || new Set(secret).size < 8;
}

const PLACEHOLDER = "is a placeholder or public example value: set a random secret in production";

/** In production, refuses example/placeholder secrets, naming the variable. */
function refusePlaceholders(
  v: { NODE_ENV: string; AUTH_SECRET?: string; SIM_ADMIN_TOKEN?: string; CREDENTIAL_KEYS?: KeyRing },
  ctx: z.RefinementCtx,
) {
  if (v.NODE_ENV !== "production") return;
  for (const name of ["AUTH_SECRET", "SIM_ADMIN_TOKEN"] as const) {
    const value = v[name];
    if (value !== undefined && isPlaceholder(value))
      ctx.addIssue({ code: "custom", path: [name], message: PLACEHOLDER });
  }
  for (const [version, key] of v.CREDENTIAL_KEYS?.keys ?? []) {
    // An all-zero (or any single repeated byte) key, or the public test key, encrypts nothing worth the name.
    if (new Set(key).size === 1 || PUBLIC_CREDENTIAL_KEYS.has(key.toString("base64"))) {
      ctx.addIssue({
        code: "custom",
        path: ["CREDENTIAL_KEYS"],
        message: `key v${version} ${PLACEHOLDER} (npm run keys:new)`,
      });
    }
  }
}

const rateLimit = z
  .string()
  .regex(/^\s*\d+\s*(per|\/)\s*(\d+\s*)?(second|minute|hour|day)s?\s*$/i, 'must read like "50 per second"')
  .optional();

const simulatorSchema = z.object({
  NODE_ENV: appSchema.shape.NODE_ENV,
  LOG_LEVEL: appSchema.shape.LOG_LEVEL,
  // The web app's address: the demo's direct-broker instances send the browser back to its login callback.
  APP_URL: appSchema.shape.APP_URL,
  SIM_HOST: z.string().default("127.0.0.1"),
  SIM_HTTP_PORT: int(5055),
  SIM_WS_PORT: int(8765),
  SIM_ADMIN_TOKEN: z.string().min(8, "must be at least 8 characters"),
  SIM_SEED: int(42),
  SIM_CLOCK: z.enum(["realtime", "fixed"]).default("realtime"),
  SIM_CLOCK_SPEED: z.coerce.number().positive().default(1),
  SIM_ALWAYS_OPEN: bool.default(true),
  SIM_DEMO_INSTANCES: int(5),
  // Flask-Limiter notation ("50 per second", "30 per minute"); unset = OpenAlgo's defaults.
  SIM_RATE_LIMIT_API: rateLimit,
  SIM_RATE_LIMIT_ORDER: rateLimit,
  SIM_RATE_LIMIT_SMART_ORDER: rateLimit,
  SIM_RATE_LIMIT_GREEKS: rateLimit,
  // The demo instances' morning broker login (IST HH:MM, or "off"): undefined = never.
  SIM_AUTO_LOGIN_AT: autoLoginAtSchema.transform((at) => (at === "off" ? undefined : at)),
  // Fault knobs of the demo instances (lib/simulator/fault-schema.ts): one object for all, or keyed by instance id.
  SIM_FAULTS: z
    .string()
    .default("{}")
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be a JSON object" });
        return z.NEVER;
      }
    })
    .pipe(faultsSchema),
});
export type SimulatorEnv = z.infer<typeof simulatorSchema>;

/** Parses `source` against `schema`, collecting every problem into one EnvError. Exported for tests. */
export function parseEnv<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.infer<S> {
  // Empty strings count as unset, so `FOO=` in a .env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new EnvError(
    result.error.issues.map((i) => {
      const name = i.path.join(".") || "(root)";
      return cleaned[name] === undefined && i.code === "invalid_type" ? `${name} is required` : `${name} ${i.message}`;
    }),
  );
}

/** The feed's reconnect backoff must grow from its minimum to a maximum no smaller. */
function feedBackoffOrdered(
  v: { MARKET_FEED_BACKOFF_MIN_MS: number; MARKET_FEED_BACKOFF_MAX_MS: number },
  ctx: z.RefinementCtx,
) {
  if (v.MARKET_FEED_BACKOFF_MAX_MS < v.MARKET_FEED_BACKOFF_MIN_MS)
    ctx.addIssue({
      code: "custom",
      path: ["MARKET_FEED_BACKOFF_MAX_MS"],
      message: "must be at least MARKET_FEED_BACKOFF_MIN_MS",
    });
}

export const appEnvSchema = appSchema.superRefine(refusePlaceholders).superRefine(feedBackoffOrdered);
export const simulatorEnvSchema = simulatorSchema.superRefine(refusePlaceholders);

let app: AppEnv | undefined;
let sim: SimulatorEnv | undefined;

/** Environment of the web app and the workers. */
export function env(): AppEnv {
  return (app ??= parseEnv(appEnvSchema, process.env));
}

/** Environment of the exchange simulator process. */
export function simulatorEnv(): SimulatorEnv {
  return (sim ??= parseEnv(simulatorEnvSchema, process.env));
}

/** True while Next.js is building pages (no database or Redis should be touched). */
export function isBuildPhase(): boolean {
  return process.env.NEXT_PHASE === "phase-production-build";
}
