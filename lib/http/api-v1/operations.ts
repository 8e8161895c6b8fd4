/** Every /api/v1 operation, in the order the document and the docs page list them. */
import type { ApiOperation } from "./operation";
import * as desk from "./operations-desk";
import * as orders from "./operations-orders";
import { defineOperation } from "./operation";

export const openApiOperation = defineOperation({
  method: "GET",
  path: "/api/v1/openapi.json",
  operationId: "getOpenApiDocument",
  tag: "Meta",
  summary: "This API's OpenAPI 3.1 document (no key needed)",
  access: "public",
  response: { description: "The OpenAPI document" },
});

export const API_V1_OPERATIONS: readonly ApiOperation[] = [
  desk.me,
  desk.listAccounts,
  desk.getAccount,
  desk.getAccountBook,
  desk.listPositions,
  desk.listStrategies,
  desk.getStrategy,
  desk.getStrategyPositions,
  desk.previewStrategyRun,
  orders.executeStrategyRun,
  orders.listRuns,
  orders.getRun,
  orders.cancelRun,
  orders.listExits,
  orders.requestExit,
  orders.getKillSwitch,
  orders.setKillSwitch,
  openApiOperation,
] as readonly ApiOperation[];
