import { describe, expect, it } from "vitest";
import { LoginRequiredError } from "@/lib/brokers/login";
import { BrokerAuthError } from "@/lib/errors";
import { packSideTokens, streamSession, unpackSideTokens } from "./session-tokens";

describe("Angel side tokens in the stored session", () => {
  it("round-trips the refresh and feed tokens; a bare refresh token has no feed token", () => {
    const packed = packSideTokens({ refreshToken: "eyJr.a.b", feedToken: "eyJf" })!;
    expect(unpackSideTokens(packed)).toEqual({ refreshToken: "eyJr.a.b", feedToken: "eyJf" });
    expect(unpackSideTokens("eyJr.a.b")).toEqual({ refreshToken: "eyJr.a.b" });
    expect(unpackSideTokens(undefined)).toEqual({});
    expect(unpackSideTokens("{broken")).toEqual({});
    expect(packSideTokens({ refreshToken: "", feedToken: undefined })).toBeUndefined();
  });

  it("opens streams only with a live JWT, a feed token and a client code", () => {
    const expiresAt = new Date(2_000);
    const session = { accessToken: "jwt", refreshToken: packSideTokens({ feedToken: "feed" }), expiresAt };
    expect(streamSession({ ...session, brokerUserId: "A1" }, undefined, 1_000)).toEqual({
      jwt: "jwt",
      feedToken: "feed",
      clientCode: "A1",
    });
    expect(streamSession(session, "B2", 1_000).clientCode).toBe("B2");
    expect(() => streamSession(session, "B2", 2_000)).toThrow(LoginRequiredError);
    expect(() => streamSession(session, undefined, 1_000)).toThrow(BrokerAuthError);
    expect(() => streamSession({ ...session, refreshToken: "bare" }, "B2", 1_000)).toThrow(BrokerAuthError);
  });
});
