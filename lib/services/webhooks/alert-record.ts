/**
 * The alert log as the ingress writes it: one Signal row per alert that reached a known webhook (429s excepted), with
 * the body redacted, and the answer sent for it. The row and the answer are built from the same facts, so the log
 * shows exactly what the sender was told.
 */
import { randomUUID } from "node:crypto";
import type { SignalVerdict } from "@/lib/generated/prisma/client";
import { insertSignal, type NewSignal } from "@/lib/db/queries/signals";
import type { SqlTx } from "@/lib/db/transaction";
import { AppError, RateLimitedError } from "@/lib/errors";
import { log } from "@/lib/log";
import { redactAlertBody } from "@/lib/trading/signals/redact";
import type { ParsedAlert, SignalAction, SignalPosition } from "@/lib/trading/signals/types";

/** The answer to an alert: status, JSON body and extra headers; the route turns it into the HTTP response. */
export interface AlertAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** A refusal in the app's one error shape (as lib/http/errors answers any AppError), plus `signalId` once logged. */
export function refusal(e: AppError, signalId?: string): AlertAnswer {
  return {
    status: e.status,
    body: {
      error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) },
      ...(signalId ? { signalId } : {}),
    },
    headers: e instanceof RateLimitedError ? { "Retry-After": String(e.retryAfterSeconds) } : undefined,
  };
}

/** What is known of an alert so far; filled in as the checks pass. */
export class AlertRecord {
  readonly id = randomUUID();
  body = "";
  bodyHash = "";
  format: string | null = null;
  action: SignalAction | null = null;
  from: SignalPosition | null = null;
  to: SignalPosition | null = null;
  clientId: string | null = null;
  lotsMultiplier: string | null = null;
  runId: string | null = null;

  constructor(
    readonly hook: { id: string; strategyId: string; ownerId: string },
    readonly ip: string,
    readonly contentType: string,
    /** performance.now() when the request arrived. */
    readonly startedAt: number,
  ) {}

  setBody(text: string, hash: string): void {
    this.body = redactAlertBody(text);
    this.bodyHash = hash;
  }

  setParsed(alert: ParsedAlert): void {
    this.format = alert.format;
    this.clientId = alert.clientId;
    this.lotsMultiplier = alert.lotsMultiplier?.toString() ?? null;
    const k = alert.ask.kind;
    this.action = k === "enter" ? "ENTRY" : k === "exit" ? "EXIT" : k === "reverse" ? "REVERSE" : null;
  }

  /** The row for this alert with the verdict given; `ackMs` is measured now. */
  row(verdict: SignalVerdict, status: number, reason: string): NewSignal {
    return {
      id: this.id,
      webhookId: this.hook.id,
      strategyId: this.hook.strategyId,
      ownerId: this.hook.ownerId,
      ip: this.ip,
      contentType: this.contentType,
      body: this.body,
      format: this.format,
      action: this.action,
      fromPosition: this.from,
      toPosition: this.to,
      clientId: this.clientId,
      bodyHash: this.bodyHash,
      verdict,
      status,
      reason,
      runId: this.runId,
      lotsMultiplier: this.lotsMultiplier,
      ackMs: (performance.now() - this.startedAt).toFixed(3),
    };
  }

  /** Stores the row (in `tx` when given); a failure to log never changes the answer of a refusal. */
  async write(verdict: SignalVerdict, status: number, reason: string, tx?: SqlTx): Promise<void> {
    await insertSignal(this.row(verdict, status, reason), tx);
  }

  /** Logs a refusal and answers it in the app's error shape, plus this alert's `signalId`. */
  async refuse(e: AppError): Promise<AlertAnswer> {
    await this.write("REJECTED", e.status, e.message).catch((err) =>
      log().error({ err, webhookId: this.hook.id }, "refused alert not logged"),
    );
    return refusal(e, this.id);
  }

  async ignore(message: string): Promise<AlertAnswer> {
    await this.write("IGNORED", 200, message);
    return { status: 200, body: { status: "ignored", signalId: this.id, message } };
  }

  async duplicate(original: { id: string; runId: string | null }, why: string): Promise<AlertAnswer> {
    const message = `Duplicate of an alert already accepted (${why}); nothing sent again`;
    this.runId = original.runId;
    await this.write("DUPLICATE", 200, message);
    return {
      status: 200,
      body: { status: "duplicate", signalId: this.id, originalSignalId: original.id, runId: original.runId, message },
    };
  }
}
