/** /api/v1 operations that read the desk: who the key is, accounts, positions, strategies and their previews. */
import { z } from "zod";
import { accountBookParams, accountIdParams, strategyIdParams } from "@/lib/http/request-schemas";
import { previewRequestSchema } from "@/lib/services/strategies";
import { defineOperation } from "./operation";

const list = (key: string, what: string) => z.object({ [key]: z.array(z.looseObject({})).meta({ description: what }) });
const one = (key: string, what: string) => z.object({ [key]: z.looseObject({}).meta({ description: what }) });

export const me = defineOperation({
  method: "GET",
  path: "/api/v1/me",
  operationId: "getMe",
  tag: "Me",
  summary: "The user this key acts as, and the key's scope",
  access: "read",
  response: {
    description: "The key's user and scope",
    schema: z.object({
      user: z.object({
        id: z.uuid(),
        email: z.string(),
        name: z.string(),
        role: z.enum(["ADMIN", "TRADER", "VIEWER"]),
      }),
      apiKey: z.object({ id: z.uuid(), scope: z.enum(["READ", "TRADE"]) }),
    }),
  },
});

export const listAccounts = defineOperation({
  method: "GET",
  path: "/api/v1/accounts",
  operationId: "listAccounts",
  tag: "Accounts",
  summary: "Linked broker accounts (admins: everyone's)",
  access: "read",
  response: { description: "The accounts", schema: list("accounts", "One entry per account, no credentials") },
});

export const getAccount = defineOperation({
  method: "GET",
  path: "/api/v1/accounts/{id}",
  operationId: "getAccount",
  tag: "Accounts",
  summary: "One account",
  access: "read",
  params: accountIdParams,
  response: { description: "The account", schema: one("account", "The account, no credentials") },
});

export const getAccountBook = defineOperation({
  method: "GET",
  path: "/api/v1/accounts/{id}/books/{book}",
  operationId: "getAccountBook",
  tag: "Accounts",
  summary: "One account's funds, orders, trades, positions or holdings, as the broker reports them",
  description: "Cached for a few seconds per account. Answers 502/503 when the broker cannot be reached.",
  access: "read",
  params: accountBookParams,
  response: { description: "The book" },
});

export const listPositions = defineOperation({
  method: "GET",
  path: "/api/v1/positions",
  operationId: "listPositions",
  tag: "Positions",
  summary: "The positions ledger of every strategy, per account and contract, with realised and unrealised P&L",
  access: "read",
  response: { description: "The ledger rows", schema: list("positions", "One row per strategy, account and contract") },
});

export const listStrategies = defineOperation({
  method: "GET",
  path: "/api/v1/strategies",
  operationId: "listStrategies",
  tag: "Strategies",
  summary: "Strategies (admins: everyone's)",
  access: "read",
  response: { description: "The strategies", schema: list("strategies", "One entry per strategy") },
});

export const getStrategy = defineOperation({
  method: "GET",
  path: "/api/v1/strategies/{id}",
  operationId: "getStrategy",
  tag: "Strategies",
  summary: "One strategy with its legs and accounts",
  access: "read",
  params: strategyIdParams,
  response: { description: "The strategy", schema: one("strategy", "The strategy") },
});

export const getStrategyPositions = defineOperation({
  method: "GET",
  path: "/api/v1/strategies/{id}/positions",
  operationId: "getStrategyPositions",
  tag: "Strategies",
  summary: "One strategy's ledger: net quantity, average price and P&L per account and contract",
  access: "read",
  params: strategyIdParams,
  response: { description: "The ledger rows", schema: list("positions", "One row per account and contract") },
});

export const previewStrategyRun = defineOperation({
  method: "POST",
  path: "/api/v1/strategies/{id}/preview",
  operationId: "previewStrategy",
  tag: "Strategies",
  summary: "Plan a run without sending anything: lots, quantity, slices, phases and margin per account",
  description: "Changes nothing, so a READ key may call it. 422 when the strategy cannot be planned as it stands.",
  access: "read",
  params: strategyIdParams,
  body: previewRequestSchema,
  errors: [409, 422],
  response: { description: "The plan", schema: one("preview", "The run preview") },
});
