import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ProbeChannel, ProbeFailure } from "@/lib/brokers/connection";
import { BROKER_KIND_LIST, kindOfStored, STORED_KIND, type StoredBrokerKind } from "@/lib/brokers/kinds";
import { BROKERS, brokerEntry, type BrokerEntry } from "@/lib/brokers/registry";
import { AccountKind } from "@/lib/generated/prisma/enums";
import { buildAccountSchemas, checkUpdateCredentials } from "./account-schemas";
import { assertStorable, ENCRYPTED_CREDENTIALS, PLAIN_CREDENTIALS } from "@/lib/services/broker-access";

const REASONS: ProbeFailure[] = [
  "blocked_host",
  "unreachable",
  "timeout",
  "tls",
  "auth_rejected",
  "rate_limited",
  "server_error",
  "not_openalgo",
];
const CHANNELS: ProbeChannel[] = ["API", "WebSocket"];

describe("the broker registry: one entry per kind, complete and consistent", () => {
  it("maps every kind to its own Prisma enum value and back", () => {
    expect(BROKERS.map((b) => b.kind)).toEqual(BROKER_KIND_LIST);
    expect(new Set(BROKERS.map((b) => b.stored)).size).toBe(BROKERS.length);
    expect([...BROKERS.map((b) => b.stored)].sort()).toEqual(Object.values(AccountKind).sort());
    for (const kind of BROKER_KIND_LIST) expect(kindOfStored(STORED_KIND[kind])).toBe(kind);
    expect(() => kindOfStored("NOPE")).toThrow(TypeError);
  });

  it.each(BROKERS.map((b) => [b.kind, b] as const))(
    "%s: every form field is validated, every validated field is on the form, and required fields are required",
    (_kind, broker) => {
      const formNames = broker.form.fields.map((f) => f.name).sort();
      expect(Object.keys(broker.credentials.shape).sort()).toEqual(formNames);
      const absent = broker.credentials.safeParse({});
      expect(absent.success).toBe(false);
      const missing = new Set(absent.error?.issues.map((i) => String(i.path[0])));
      for (const f of broker.form.fields) expect(missing.has(f.name)).toBe(f.required);
    },
  );

  it.each(BROKERS.map((b) => [b.kind, b] as const))(
    "%s: secret fields are encrypted by the accounts service, the rest have plain columns",
    (_kind, broker) => {
      expect(() => assertStorable(broker)).not.toThrow();
      for (const f of broker.form.fields)
        expect(f.secret ? ENCRYPTED_CREDENTIALS : PLAIN_CREDENTIALS, `${broker.kind}.${f.name}`).toContain(f.name);
    },
  );

  it.each(BROKERS.map((b) => [b.kind, b] as const))("%s: words every connection failure", (_kind, broker) => {
    expect(broker.form.label).not.toBe("");
    expect(broker.form.linkTitle).not.toBe("");
    expect(broker.wording.authRejectedShort).not.toBe("");
    expect(broker.wording.unreachableHint).not.toBe("");
    for (const reason of REASONS)
      for (const channel of CHANNELS)
        expect(broker.wording.describeFailure(reason, "broker.example", channel)).toMatch(/\S/);
  });
});

/** A second kind, registered only in a test registry: its own field rules and wording. */
const FAKE = "FAKEBROKER" as StoredBrokerKind;
const openalgo = brokerEntry("openalgo");
const fake: BrokerEntry = {
  ...openalgo,
  kind: "fakebroker" as BrokerEntry["kind"],
  stored: FAKE,
  credentials: z.object({
    hostUrl: z.string().startsWith("https://", "The fake broker only speaks HTTPS"),
    wsUrl: z.string(),
    apiKey: z.string().length(6, "Access tokens are 6 characters"),
  }),
  form: {
    label: "Fake broker",
    linkTitle: "Link a fake broker account",
    fields: [
      { name: "hostUrl", label: "Gateway", inputType: "url", secret: false, required: true },
      { name: "wsUrl", label: "Feed", inputType: "url", secret: false, required: true },
      { name: "apiKey", label: "access token", inputType: "password", secret: true, required: true },
    ],
  },
};

const settings = { name: "Acc" };
const openAlgoCreds = { hostUrl: "http://127.0.0.1:5000/", wsUrl: "ws://127.0.0.1:8765", apiKey: "abcdefgh" };
const issuesOf = (r: { success: boolean; error?: z.ZodError }) =>
  Object.fromEntries((r.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));

describe("account schemas built from a registry with a second kind", () => {
  const schemas = buildAccountSchemas([openalgo, fake], STORED_KIND.openalgo);

  it("creates each kind with its own credential rules, and a body without a kind is the default kind's", () => {
    const plain = schemas.create.parse({ ...settings, ...openAlgoCreds });
    expect(plain).toMatchObject({ kind: "OPENALGO", hostUrl: "http://127.0.0.1:5000", lotMultiplier: 1 });
    const asFake = { ...settings, kind: FAKE, hostUrl: "http://gw", wsUrl: "wss://feed", apiKey: "abcdefgh" };
    expect(issuesOf(schemas.create.safeParse(asFake))).toEqual({
      hostUrl: "The fake broker only speaks HTTPS",
      apiKey: "Access tokens are 6 characters",
    });
    expect(schemas.create.parse({ ...asFake, hostUrl: "https://gw", apiKey: "abc123" })).toMatchObject({
      kind: FAKE,
      hostUrl: "https://gw",
    });
    expect(schemas.create.safeParse({ ...settings, ...openAlgoCreds, kind: "ZERODHA" }).success).toBe(false);
  });

  it("asks for the kind's own secret by its label when testing without a stored account", () => {
    const r = schemas.formTest.safeParse({ kind: FAKE, hostUrl: "https://gw", wsUrl: "wss://feed" });
    expect(issuesOf(r)).toEqual({ apiKey: "Enter the access token" });
    const openAlgoTest = schemas.formTest.safeParse({ hostUrl: openAlgoCreds.hostUrl, wsUrl: openAlgoCreds.wsUrl });
    expect(issuesOf(openAlgoTest)).toEqual({ apiKey: "Enter the API key" });
  });

  it("refuses to build for a kind whose secret would be stored in a plain column, or whose form and schema differ", () => {
    const leaky = { ...fake, form: { ...fake.form, fields: fake.form.fields.map((f) => ({ ...f, secret: true })) } };
    expect(() => buildAccountSchemas([openalgo, leaky], STORED_KIND.openalgo)).toThrow(
      /hostUrl is secret but would not be encrypted/,
    );
    const shown = { ...fake, form: { ...fake.form, fields: fake.form.fields.map((f) => ({ ...f, secret: false })) } };
    expect(() => buildAccountSchemas([shown], STORED_KIND.openalgo)).toThrow(/apiKey has no column to be stored in/);
    const unasked = { ...fake, form: { ...fake.form, fields: fake.form.fields.slice(0, 2) } };
    expect(() => buildAccountSchemas([unasked], STORED_KIND.openalgo)).toThrow(
      /apiKey is validated but not on the form/,
    );
  });

  it("never changes an account's kind on update", () => {
    expect(() => checkUpdateCredentials({ kind: FAKE }, { kind: "OPENALGO" })).toThrow(/cannot be changed/);
    expect(() => checkUpdateCredentials({ kind: "OPENALGO" }, { kind: "OPENALGO", apiKey: "abcdefgh" })).not.toThrow();
  });
});
