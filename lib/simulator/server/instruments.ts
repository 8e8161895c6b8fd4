/**
 * `GET /api/v1/instruments?apikey=&exchange=&format=json|csv` (docs/openalgo.md "Market data"): the only GET of the
 * API. The key comes from the query string; a missing key is a marshmallow-style 400, a bad one a 403.
 */
import type { Exchange, InstanceState, MarketView } from "@/lib/simulator/types";
import { apikeyField, dataError, field, schema, VALID_EXCHANGES } from "@/lib/simulator/validation";
import type { BrokerEngine } from "./broker-seam";
import { flaskJson } from "./json";
import type { Reply } from "./rest";
import { instrumentRow } from "./route-kit";

const querySchema = schema({
  // A missing query parameter reaches marshmallow as None, hence "Field may not be null." (docs/openalgo.md "Market
  // data").
  apikey: apikeyField(),
  exchange: field.enum(VALID_EXCHANGES).optional(),
  format: field.enum(["json", "csv"] as const).default("json"),
});

const CSV_COLUMNS = [
  "symbol",
  "brsymbol",
  "name",
  "exchange",
  "brexchange",
  "token",
  "expiry",
  "strike",
  "lotsize",
  "instrumenttype",
  "tick_size",
];

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function instrumentsReply(
  market: MarketView,
  broker: BrokerEngine,
  query: URLSearchParams,
  scoped: InstanceState | undefined,
): Reply {
  const input: Record<string, unknown> = { apikey: query.get("apikey") };
  for (const key of query.keys()) if (key !== "apikey") input[key] = query.get(key);
  const parsed = querySchema.parse(input);
  if (!parsed.ok) {
    const r = dataError(parsed.errors);
    return { status: r.status, body: flaskJson(r.body) };
  }
  const v = parsed.value;
  const instance = broker.instanceByKey(v.apikey);
  if (!instance || (scoped && instance !== scoped)) {
    return { status: 403, body: flaskJson({ message: "Invalid openalgo apikey", status: "error" }) };
  }
  const rows = market.instruments(v.exchange as Exchange | undefined).map((i) => instrumentRow(i, false));
  if (v.format === "csv") {
    const lines = [CSV_COLUMNS.join(",")];
    for (const r of rows) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(","));
    return { status: 200, body: lines.join("\n") + "\n", contentType: "text/csv" };
  }
  return {
    status: 200,
    body: flaskJson({ data: rows, message: `Found ${rows.length} instruments`, status: "success" }),
  };
}
