/**
 * Telegram delivery through grammY's Bot API client (docs/notifications.md "Telegram"). The bot token goes only to the
 * configured API root (TELEGRAM_API_ROOT), in the request path as the Bot API wants it; it is never logged: errors
 * are reduced to the Bot API's own description, with the token cut out of any text that might carry it.
 */
import { Api, GrammyError, HttpError } from "grammy";
import { redact, type DeliveryOutcome } from "./outcome";

/** How long one Bot API call may take before it counts as failed, s. */
const TIMEOUT_S = 10;
/** Telegram's own cap on a message's text. */
const MAX_TEXT = 4_096;

function api(apiRoot: string, token: string): Api {
  return new Api(token, { apiRoot, timeoutSeconds: TIMEOUT_S });
}

/** Why a call failed, as an outcome: the Bot API's description; retry_after honoured; refusals are permanent. */
export function telegramFailure(err: unknown, token: string): Extract<DeliveryOutcome, { ok: false }> {
  if (err instanceof GrammyError) {
    const error = redact(`${err.error_code}: ${err.description}`, token);
    if (err.error_code === 429) {
      const after = Number(err.parameters.retry_after ?? 1);
      return { ok: false, error, permanent: false, retryAfterMs: Math.max(1, after) * 1_000 };
    }
    // Bad request, a wrong token, a bot the user blocked, an unknown method: the same call would fail again.
    return { ok: false, error, permanent: err.error_code >= 400 && err.error_code < 500 };
  }
  if (err instanceof HttpError)
    return { ok: false, error: redact(`Telegram unreachable (${err.message})`, token), permanent: false };
  return { ok: false, error: "Telegram call failed", permanent: false };
}

/** Sends `text` to `chatId` with the user's bot. */
export async function sendTelegram(
  apiRoot: string,
  token: string,
  chatId: string,
  text: string,
): Promise<DeliveryOutcome> {
  try {
    await api(apiRoot, token).sendMessage(chatId, text.slice(0, MAX_TEXT), {
      link_preview_options: { is_disabled: true },
    });
    return { ok: true };
  } catch (err) {
    return telegramFailure(err, token);
  }
}
