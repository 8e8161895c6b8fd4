/* The risk API's JSON shapes as the Risk page reads them (docs/risk.md "API"), written once by the risk service. */
import type { RiskEventJson, RiskRunJson } from "@/lib/services/risk";

export type { AccountRiskJson, RiskEventJson, RiskLegJson, RiskRunJson } from "@/lib/services/risk";

export type RiskEventAction = RiskEventJson["action"];

/** `GET /api/runs/:id/risk`. */
export type RiskRunDetailJson = RiskRunJson & { events: RiskEventJson[] };
