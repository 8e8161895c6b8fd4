/** What one delivery attempt came to, whatever the channel (docs/notifications.md "Delivery"). */

export type DeliveryOutcome =
  | { ok: true }
  | {
      ok: false;
      /** What went wrong, for the user: the Bot API's description, the SMTP reply. Never a secret. */
      error: string;
      /** The same message would fail again (a wrong token, an unknown chat, a refused mailbox). */
      permanent: boolean;
      /** The service asked to wait this long before the next try (Telegram's retry_after), ms. */
      retryAfterMs?: number;
    };

/** `text` with every occurrence of `secret` replaced (a library error may quote the request URL). */
export function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join("<token>") : text;
}
