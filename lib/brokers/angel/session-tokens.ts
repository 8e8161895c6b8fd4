/**
 * Angel's feed token in the stored session (docs/brokers/angel.md "Login"): SmartStream needs the feed token Angel
 * hands out with the JWT, but the stored session (`BrokerSessionTokens`) has fields for an access and a refresh token
 * only. The connector therefore stores both of Angel's other tokens in `refreshToken`, as a small JSON object; the
 * whole session is encrypted as one blob, so the feed token is as protected as the rest. A plain refresh token (a
 * session stored before streams existed) reads as one without a feed token.
 */
import { z } from "zod";
import { type BrokerSessionTokens, requireSession } from "@/lib/brokers/login";
import { BrokerAuthError } from "@/lib/errors";

const packed = z.object({ refreshToken: z.string().optional(), feedToken: z.string().optional() });

export interface AngelSideTokens {
  refreshToken?: string;
  feedToken?: string;
}

/** What goes into the session's `refreshToken`; undefined when there is neither token. */
export function packSideTokens(tokens: AngelSideTokens): string | undefined {
  const refreshToken = tokens.refreshToken || undefined;
  const feedToken = tokens.feedToken || undefined;
  if (!refreshToken && !feedToken) return undefined;
  return JSON.stringify({ refreshToken, feedToken });
}

export function unpackSideTokens(stored: string | undefined): AngelSideTokens {
  if (!stored) return {};
  // A JWT never starts with "{": anything else is a bare refresh token.
  if (!stored.startsWith("{")) return { refreshToken: stored };
  try {
    const r = packed.safeParse(JSON.parse(stored));
    return r.success ? r.data : {};
  } catch {
    return {};
  }
}

/**
 * What a stream's upgrade needs from the session: the live JWT (`requireSession`: nothing is sent with an expired
 * one), the feed token and the client code. A session without a feed token or client code needs a new login.
 */
export function streamSession(
  session: BrokerSessionTokens | undefined,
  clientId: string | undefined,
  now: number,
): { jwt: string; feedToken: string; clientCode: string } {
  const jwt = requireSession(session, now);
  const { feedToken } = unpackSideTokens(session?.refreshToken);
  const clientCode = clientId || session?.brokerUserId;
  if (!feedToken || !clientCode)
    throw new BrokerAuthError("This Angel One session cannot open streams: log in to the broker again");
  return { jwt, feedToken, clientCode };
}
