/**
 * E-mail delivery through nodemailer over the install's one SMTP server (SMTP_URL; docs/notifications.md "E-mail").
 * Short timeouts: a server that does not answer only delays notifications, and the next attempt tries again.
 */
import nodemailer, { type Transporter } from "nodemailer";
import { redact, type DeliveryOutcome } from "./outcome";

const transports = new Map<string, Transporter>();

function transport(smtpUrl: string): Transporter {
  let t = transports.get(smtpUrl);
  if (!t) {
    const url = new URL(smtpUrl);
    t = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === "smtps:" ? 465 : 587,
      secure: url.protocol === "smtps:",
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    transports.set(smtpUrl, t);
  }
  return t;
}

/** SMTP reply codes 5xx are permanent (no such mailbox, refused); 4xx and lost connections are worth retrying. */
function emailFailure(err: unknown, smtpUrl: string): Extract<DeliveryOutcome, { ok: false }> {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  const password = decodeURIComponent(new URL(smtpUrl).password);
  const text = e.response ?? e.message ?? "SMTP failed";
  const error = redact(e.code && !e.response ? `${e.code}: ${text}` : text, password).slice(0, 500);
  return { ok: false, error, permanent: typeof e.responseCode === "number" && e.responseCode >= 500 };
}

export async function sendEmail(
  smtpUrl: string,
  from: string,
  to: string,
  subject: string,
  text: string,
): Promise<DeliveryOutcome> {
  try {
    await transport(smtpUrl).sendMail({ from, to, subject, text });
    return { ok: true };
  } catch (err) {
    return emailFailure(err, smtpUrl);
  }
}
