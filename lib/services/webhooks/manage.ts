/**
 * Setting up a strategy's webhook (docs/webhooks.md "On the strategy page"): create, rotate the URL token, revoke,
 * change the settings and the signing secret. The URL and the signing secret are answered once, when made; reads
 * never carry them. Every change is audited without either.
 */
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { env } from "@/lib/env";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { insertAudit } from "@/lib/db/queries/audit";
import { isUniqueViolation } from "@/lib/db/errors";
import { inTransaction, type Tx } from "@/lib/db/transaction";
import {
  findWebhookOfStrategy,
  insertWebhook,
  lockWebhookOfStrategy,
  replaceWebhookToken,
  revokeWebhookRow,
  updateWebhookRow,
  type WebhookRow,
  type WebhookSettingsData,
} from "@/lib/db/queries/webhooks-admin";
import { findStrategyRow } from "@/lib/services/strategies";
import { encryptHmacSecret, newHmacSecret, newWebhookToken, webhookPath } from "./token";
import { entryWindowError, type WebhookSettingsInput } from "./settings-schema";

export interface WebhookView {
  id: string;
  strategyId: string;
  /** `…/api/hooks/whk_…abcd`: enough to tell URLs apart, never the token. */
  urlHint: string | null;
  active: boolean;
  mode: "LONG" | "SHORT" | "BOTH";
  pyramiding: boolean;
  maxEntries: number;
  maxLagSeconds: number;
  dedupeSeconds: number;
  entryStart: string | null;
  entryEnd: string | null;
  allowedIps: string[];
  signed: boolean;
  enabled: boolean;
  position: "FLAT" | "LONG" | "SHORT";
  entries: number;
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
}

/** A create or rotate: the view plus the full URL, shown once. */
export interface WebhookWithUrl {
  webhook: WebhookView;
  url: string;
}

/** A settings change; `secret` only when `signing: "generate"` made one (shown once). */
export interface WebhookSettingsResult {
  webhook: WebhookView;
  secret?: string;
}

const urlHintOf = (r: WebhookRow) => (r.tokenHash ? `…/api/hooks/whk_…${r.tokenHint}` : null);

function toView(r: WebhookRow): WebhookView {
  return {
    id: r.id,
    strategyId: r.strategyId,
    urlHint: urlHintOf(r),
    active: r.tokenHash !== null,
    mode: r.mode,
    pyramiding: r.pyramiding,
    maxEntries: r.maxEntries,
    maxLagSeconds: r.maxLagSeconds,
    dedupeSeconds: r.dedupeSeconds,
    entryStart: r.entryStart,
    entryEnd: r.entryEnd,
    allowedIps: r.allowedIps,
    signed: r.hmacSecret !== null,
    enabled: r.enabled,
    position: r.position,
    entries: r.entries,
    createdAt: r.createdAt.toISOString(),
    rotatedAt: r.rotatedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}

const fullUrl = (token: string) => `${env().APP_URL.replace(/\/+$/, "")}${webhookPath(token)}`;

/** The strategy's webhook as the page shows it (revoked ones too, for their history), or null if it never had one. */
export async function getWebhook(actor: Actor, strategyId: string): Promise<WebhookView | null> {
  const strategy = await findStrategyRow(actor, strategyId);
  authorize(actor, "strategy.read", { ownerId: strategy.ownerId, what: "Strategy" });
  const row = await findWebhookOfStrategy(strategyId);
  return row ? toView(row) : null;
}

async function writableStrategy(actor: Actor, strategyId: string) {
  authorize(actor, "webhook.manage");
  const strategy = await findStrategyRow(actor, strategyId);
  authorize(actor, "webhook.manage", { ownerId: strategy.ownerId, what: "Strategy" });
  return strategy;
}

/**
 * A new webhook for the strategy (409 if it has an active one). A revoked one is brought back on the same row with a
 * new token, flat, unsigned and enabled: its alert log stays with the strategy.
 */
export async function createWebhook(actor: Actor, strategyId: string, ip: string): Promise<WebhookWithUrl> {
  const strategy = await writableStrategy(actor, strategyId);
  const { token, hash, hint } = newWebhookToken();
  const created = inTransaction(async (tx) => {
    const existing = await lockWebhookOfStrategy(strategyId, tx);
    if (existing?.tokenHash) throw new ConflictError("This strategy already has a webhook: rotate or revoke it");
    const saved = existing
      ? await replaceWebhookToken(
          existing.id,
          { tokenHash: hash, tokenHint: hint, at: new Date(), reactivate: true },
          tx,
        )
      : await insertWebhook({ strategyId, ownerId: strategy.ownerId, tokenHash: hash, tokenHint: hint }, tx);
    const details = { strategyId, tokenHint: hint, reused: !!existing };
    await insertAudit(
      { actorId: actor.id, action: "webhook.create", entity: "webhook", entityId: saved.id, details, ip },
      tx,
    );
    return saved;
  });
  // Two first creates at once: the second insert meets the one-per-strategy unique index.
  const row = await created.catch((e) => {
    throw isUniqueViolation(e) ? new ConflictError("This strategy already has a webhook: rotate or revoke it") : e;
  });
  return { webhook: toView(row), url: fullUrl(token) };
}

async function activeWebhook(strategyId: string, tx: Tx) {
  const row = await lockWebhookOfStrategy(strategyId, tx);
  if (!row?.tokenHash) throw new NotFoundError("Webhook");
  return row;
}

/** A new URL token; the old one is unknown from the moment this commits. */
export async function rotateWebhookToken(actor: Actor, strategyId: string, ip: string): Promise<WebhookWithUrl> {
  await writableStrategy(actor, strategyId);
  const { token, hash, hint } = newWebhookToken();
  const row = await inTransaction(async (tx) => {
    const current = await activeWebhook(strategyId, tx);
    const saved = await replaceWebhookToken(
      current.id,
      { tokenHash: hash, tokenHint: hint, at: new Date(), reactivate: false },
      tx,
    );
    const details = { strategyId, fromHint: current.tokenHint, toHint: hint };
    await insertAudit(
      { actorId: actor.id, action: "webhook.rotate", entity: "webhook", entityId: saved.id, details, ip },
      tx,
    );
    return saved;
  });
  return { webhook: toView(row), url: fullUrl(token) };
}

/** Forgets the token (and the signing secret): the URL answers 404 from now on. The row and its log stay. */
export async function revokeWebhook(actor: Actor, strategyId: string, ip: string): Promise<WebhookView> {
  await writableStrategy(actor, strategyId);
  const row = await inTransaction(async (tx) => {
    const current = await activeWebhook(strategyId, tx);
    const saved = await revokeWebhookRow(current.id, new Date(), tx);
    const details = { strategyId, tokenHint: current.tokenHint };
    await insertAudit(
      { actorId: actor.id, action: "webhook.revoke", entity: "webhook", entityId: saved.id, details, ip },
      tx,
    );
    return saved;
  });
  return toView(row);
}

export async function updateWebhookSettings(
  actor: Actor,
  strategyId: string,
  input: WebhookSettingsInput,
  ip: string,
): Promise<WebhookSettingsResult> {
  await writableStrategy(actor, strategyId);
  const secret = input.signing === "generate" ? newHmacSecret() : undefined;
  const row = await inTransaction(async (tx) => {
    const current = await activeWebhook(strategyId, tx);
    const start = input.entryStart === undefined ? current.entryStart : input.entryStart;
    const end = input.entryEnd === undefined ? current.entryEnd : input.entryEnd;
    const windowError = entryWindowError(start, end);
    if (windowError) throw new ValidationError("The entry window is not valid", windowError);
    const { signing, ...plain } = input;
    const data: WebhookSettingsData = { ...plain };
    if (signing === "remove") data.hmacSecret = null;
    if (secret) data.hmacSecret = encryptHmacSecret(current.id, secret);
    const saved = await updateWebhookRow(current.id, data, tx);
    // Which settings changed, and to what, but never a secret (only whether signing was turned on or off).
    const details = { strategyId, ...plain, ...(signing ? { signing } : {}) };
    await insertAudit(
      { actorId: actor.id, action: "webhook.update", entity: "webhook", entityId: saved.id, details, ip },
      tx,
    );
    return saved;
  });
  return secret ? { webhook: toView(row), secret } : { webhook: toView(row) };
}
