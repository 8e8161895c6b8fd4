import { GrammyError, HttpError } from "grammy";
import { describe, expect, it } from "vitest";
import { telegramFailure } from "./telegram";

const TOKEN = "7000000001:AAEabcdefghijklmnopqrstuvwxyz0123456";
const botError = (error_code: number, description: string, parameters = {}) =>
  new GrammyError(
    "Call to 'sendMessage' failed!",
    { ok: false, error_code, description, parameters },
    "sendMessage",
    {},
  );

describe("Telegram failures", () => {
  it("honour retry_after, treat refusals as permanent and server trouble as worth retrying", () => {
    expect(telegramFailure(botError(429, "Too Many Requests: retry after 7", { retry_after: 7 }), TOKEN)).toEqual({
      ok: false,
      error: "429: Too Many Requests: retry after 7",
      permanent: false,
      retryAfterMs: 7_000,
    });
    expect(telegramFailure(botError(401, "Unauthorized"), TOKEN)).toMatchObject({ permanent: true });
    expect(telegramFailure(botError(403, "Forbidden: bot was blocked by the user"), TOKEN)).toMatchObject({
      permanent: true,
    });
    expect(telegramFailure(botError(502, "Bad Gateway"), TOKEN)).toMatchObject({ permanent: false });
  });

  it("never carry the token, even when a network error quotes the request", () => {
    const err = new HttpError(
      `Network request for 'sendMessage' failed! https://x/bot${TOKEN}/sendMessage`,
      new Error(),
    );
    const out = telegramFailure(err, TOKEN);
    expect(out).toMatchObject({ ok: false, permanent: false });
    expect(out.error).not.toContain(TOKEN);
    expect(out.error).toContain("<token>");
  });
});
