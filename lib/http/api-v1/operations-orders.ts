/** /api/v1 operations that send or stop orders: execute, runs, exits and the kill switch. */
import { z } from "zod";
import { runIdParams, runListQuerySchema, strategyIdParams } from "@/lib/http/request-schemas";
import { exitListQuerySchema, exitRequestSchema } from "@/lib/services/exits";
import { killSwitchRequestSchema } from "@/lib/services/kill-switch";
import { executeRequestSchema } from "@/lib/services/strategies";
import { defineOperation } from "./operation";

/**
 * The body's key may be left out when the `Idempotency-Key` header carries it (./idempotency.ts). The run's own risk
 * rules are described as an object here and parsed by the session route's schema there (field errors name
 * `risk.<field>`): their amounts accept decimals in several forms, which OpenAPI cannot state.
 */
export const v1ExecuteBodySchema = executeRequestSchema.partial({ idempotencyKey: true }).extend({
  risk: z
    .looseObject({})
    .nullish()
    .meta({
      description:
        "Risk rules for this run instead of the strategy's (docs/risk.md: maxLoss, target, trailing, legs, " +
        "legStopMode, supertrend, timeExit; amounts as decimal strings); null runs it without any",
    }),
});
export const idempotencyHeaders = z.object({
  "Idempotency-Key": executeRequestSchema.shape.idempotencyKey
    .optional()
    .meta({ description: "One per intended run; required unless the body carries idempotencyKey" }),
});

export const executeStrategyRun = defineOperation({
  method: "POST",
  path: "/api/v1/strategies/{id}/execute",
  operationId: "executeStrategy",
  tag: "Strategies",
  summary: "Plan afresh and send the orders to every account of the strategy",
  description:
    "Idempotent: the same key (header or body) always answers the run it first created, with 200 and without " +
    "sending again. A first call answers 201. 423 while the kill switch is engaged.",
  access: "write",
  params: strategyIdParams,
  headers: idempotencyHeaders,
  body: v1ExecuteBodySchema,
  errors: [409, 422, 423],
  response: {
    status: 201,
    description: "The run (201 created, 200 when the key was seen before)",
    schema: z.object({ runId: z.uuid(), created: z.boolean() }),
  },
});

export const listRuns = defineOperation({
  method: "GET",
  path: "/api/v1/runs",
  operationId: "listRuns",
  tag: "Runs",
  summary: "Runs, newest first: entries, adjustments, tickets and exits, with their progress",
  access: "read",
  query: runListQuerySchema,
  response: { description: "The runs", schema: z.object({ runs: z.array(z.looseObject({})) }) },
});

export const getRun = defineOperation({
  method: "GET",
  path: "/api/v1/runs/{id}",
  operationId: "getRun",
  tag: "Runs",
  summary: "One run with its per-account, per-leg orders and fills",
  access: "read",
  params: runIdParams,
  response: { description: "The run", schema: z.object({ run: z.looseObject({}) }) },
});

export const cancelRun = defineOperation({
  method: "POST",
  path: "/api/v1/runs/{id}/cancel",
  operationId: "cancelRun",
  tag: "Runs",
  summary: "Cancel every open broker order of the run",
  access: "write",
  params: runIdParams,
  errors: [409],
  response: { description: "What was cancelled, per account" },
});

export const listExits = defineOperation({
  method: "GET",
  path: "/api/v1/exits",
  operationId: "listExits",
  tag: "Exits",
  summary: "Exits with their per-account progress, newest first",
  access: "read",
  query: exitListQuerySchema,
  response: { description: "The exits", schema: z.object({ exits: z.array(z.looseObject({})) }) },
});

export const requestExit = defineOperation({
  method: "POST",
  path: "/api/v1/exits",
  operationId: "requestExit",
  tag: "Exits",
  summary: "Exit a run, a strategy, an account or a leg's excess",
  description: "Joins the active exit of the same target instead of starting a second one. 409 when nothing is open.",
  access: "write",
  body: exitRequestSchema,
  errors: [404, 409],
  response: { description: "The exit" },
});

export const getKillSwitch = defineOperation({
  method: "GET",
  path: "/api/v1/kill-switch",
  operationId: "getKillSwitch",
  tag: "Kill switch",
  summary: "Engaged kill switches the key's user can see, and whether their entries are blocked",
  access: "read",
  response: { description: "The switches" },
});

export const setKillSwitch = defineOperation({
  method: "POST",
  path: "/api/v1/kill-switch",
  operationId: "setKillSwitch",
  tag: "Kill switch",
  summary: "Engage (flatten and block entries) or, for admins, rearm",
  access: "write",
  body: killSwitchRequestSchema,
  errors: [404, 409],
  response: { description: "The exit the switch started (engage) or what was rearmed" },
});
