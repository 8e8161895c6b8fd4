/**
 * Reads an alert body into what it asks (docs/webhooks.md "Alert formats"). Four forms, told apart by shape:
 * plain text words, MirrorDesk JSON (`action` ENTRY/EXIT/REVERSE), OpenAlgo's strategy-webhook JSON (`action` BUY/SELL)
 * and OpenAlgo's smart-order JSON as TradingView fills it (BUY/SELL plus any smart-order key). Pure: a refusal names
 * the field at fault (`body` for the whole body) and says what would be accepted.
 */
import { z } from "zod";
import {
  idField,
  lotsMultiplierField,
  optionalStringField,
  symbolField,
  tsField,
  wholeNumberField,
} from "./alert-fields";
import type { Ask, ParseResult, ParsedAlert, SignalPosition, WebhookMode } from "./types";

/** Keys only OpenAlgo's smart-order message has: their presence makes a BUY/SELL alert the "smart" form. */
export const SMART_ORDER_KEYS = ["exchange", "pricetype", "product", "quantity", "contracts", "apikey", "strategy"];

const PLACEHOLDER = /\{\{[^{}]*\}\}/;
const TEXT_WORDS = "ENTRY, ENTRY LONG, ENTRY SHORT, EXIT, REVERSE, LONG, SHORT or FLAT";
const ACTIONS = "ENTRY, EXIT or REVERSE (MirrorDesk form) or BUY or SELL (OpenAlgo forms)";

type Refusal = { ok: false; field: string; message: string };

export function parseAlert(body: string, kind: "json" | "text", mode: WebhookMode): ParseResult {
  const trimmed = body.trim();
  if (trimmed === "") return refuse("body", `the body is empty: send ${TEXT_WORDS}, or a JSON object`);
  // `{{strategy.market_position}}` left unfilled is a placeholder, not broken JSON, whatever the content type said.
  if ((kind === "text" && !trimmed.startsWith("{")) || trimmed.startsWith("{{")) return parseText(trimmed);
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (err) {
    const at = /position (\d+)/.exec(err instanceof Error ? err.message : "");
    const where = at ? ` (error at character ${at[1]})` : "";
    return refuse("body", `not valid JSON${where}: an unfilled placeholder or a missing quote?`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return refuse("body", "the body must be a JSON object (or plain text such as ENTRY or EXIT)");
  }
  return parseObject(json as Record<string, unknown>, mode);
}

function parseText(text: string): ParseResult {
  const placeholder = PLACEHOLDER.exec(text);
  if (placeholder) return refuse("body", placeholderMessage(placeholder[0]));
  const words = text.split(/\s+/).join(" ").toUpperCase();
  const ask = TEXT_ASKS[words];
  if (!ask) return refuse("body", `not an alert this webhook understands: send ${TEXT_WORDS}, or a JSON object`);
  return accept({ format: "text", ask, clientId: null, sentAt: null, lotsMultiplier: null, symbol: null });
}

/** Plain-text messages. LONG/SHORT/FLAT are targets, so `{{strategy.market_position}}` works as a whole message. */
const TEXT_ASKS: Record<string, Ask> = {
  ENTRY: { kind: "enter", direction: null },
  "ENTRY LONG": { kind: "enter", direction: "LONG" },
  "ENTRY SHORT": { kind: "enter", direction: "SHORT" },
  EXIT: { kind: "exit" },
  REVERSE: { kind: "reverse" },
  LONG: { kind: "target", position: "LONG" },
  SHORT: { kind: "target", position: "SHORT" },
  FLAT: { kind: "target", position: "FLAT" },
};

function parseObject(o: Record<string, unknown>, mode: WebhookMode): ParseResult {
  const unfilled = findPlaceholder(o);
  if (unfilled) return refuse(unfilled.field, placeholderMessage(unfilled.placeholder));
  if (!("action" in o)) return refuse("action", `action is required: ${ACTIONS}`);
  if (typeof o.action !== "string") return refuse("action", `action must be a string: ${ACTIONS}`);
  const action = o.action.trim().toUpperCase();
  if (action === "ENTRY" || action === "EXIT" || action === "REVERSE") return parseMirrorDesk(o, action);
  if (action === "BUY" || action === "SELL") {
    return SMART_ORDER_KEYS.some((key) => key in o) ? parseSmart(o, action) : parseOpenAlgo(o, action, mode);
  }
  return refuse("action", `unknown action "${o.action.slice(0, 40)}": accepted are ${ACTIONS}`);
}

const common = {
  id: idField.optional(),
  ts: tsField.optional(),
  lots_multiplier: lotsMultiplierField.optional(),
  symbol: symbolField.optional(),
};

const mirrorDeskSchema = z.object({
  ...common,
  position: z
    .string({ error: "position must be a string: long or short (or flat for EXIT)" })
    .transform((s) => s.trim().toUpperCase())
    .pipe(z.enum(["LONG", "SHORT", "FLAT"], { error: "position must be long or short (or flat for EXIT)" }))
    .optional(),
});

function parseMirrorDesk(o: Record<string, unknown>, action: "ENTRY" | "EXIT" | "REVERSE"): ParseResult {
  const parsed = mirrorDeskSchema.safeParse(o);
  if (!parsed.success) return fromZod(parsed.error);
  const { position } = parsed.data;
  let ask: Ask;
  if (action === "ENTRY") {
    if (position === "FLAT") return refuse("position", "ENTRY takes position long or short; to go flat send EXIT");
    ask = { kind: "enter", direction: position ?? null };
  } else if (action === "EXIT") {
    if (position !== undefined && position !== "FLAT") {
      return refuse("position", "EXIT takes no position (or flat): an exit always goes flat, never to the other side");
    }
    ask = { kind: "exit" };
  } else {
    if (position !== undefined) return refuse("position", "REVERSE takes no position: it flips whatever is open");
    ask = { kind: "reverse" };
  }
  return accept(alertOf("mirrordesk", ask, parsed.data));
}

const openAlgoSchema = z.object({ ...common, position_size: wholeNumberField("position_size", { min: -Infinity }) });
const openAlgoOptionalSizeSchema = openAlgoSchema.partial({ position_size: true });

function parseOpenAlgo(o: Record<string, unknown>, action: "BUY" | "SELL", mode: WebhookMode): ParseResult {
  if (mode !== "BOTH") {
    const parsed = openAlgoOptionalSizeSchema.safeParse(o);
    if (!parsed.success) return fromZod(parsed.error);
    // One-sided webhooks: the side's own action enters, the other one exits (OpenAlgo's LONG/SHORT modes).
    const entering = (mode === "LONG") === (action === "BUY");
    const ask: Ask = entering ? { kind: "enter", direction: mode } : { kind: "exit" };
    return accept(alertOf("openalgo", ask, parsed.data));
  }
  if (!("position_size" in o)) {
    return refuse("position_size", "position_size is required when the webhook trades both sides (0 = exit)");
  }
  const parsed = openAlgoSchema.safeParse(o);
  if (!parsed.success) return fromZod(parsed.error);
  const size = parsed.data.position_size;
  if (action === "BUY" && size < 0) return refuse("position_size", "a BUY needs position_size 0 or more");
  if (action === "SELL" && size > 0) return refuse("position_size", "a SELL needs position_size 0 or less");
  return accept(alertOf("openalgo", { kind: "target", position: positionOfSize(size) }, parsed.data));
}

const smartSchema = z.object({
  ...common,
  position_size: wholeNumberField("position_size", { min: -Infinity }),
  quantity: wholeNumberField("quantity", { min: 0 }).optional(),
  contracts: wholeNumberField("contracts", { min: 0 }).optional(),
  apikey: optionalStringField("apikey"),
  strategy: optionalStringField("strategy"),
  exchange: optionalStringField("exchange"),
  pricetype: optionalStringField("pricetype"),
  product: optionalStringField("product"),
});

function parseSmart(o: Record<string, unknown>, action: "BUY" | "SELL"): ParseResult {
  if (!("position_size" in o)) {
    return refuse(
      "position_size",
      'position_size is required in a smart-order alert: "position_size": "{{strategy.position_size}}"',
    );
  }
  const parsed = smartSchema.safeParse(o);
  if (!parsed.success) return fromZod(parsed.error);
  const size = parsed.data.position_size;
  const position = positionOfSize(size);
  // TradingView's own order went against the side it ends on: a partial exit (sell while still long).
  const reducing = (action === "SELL" && size > 0) || (action === "BUY" && size < 0);
  const ask: Ask = reducing ? { kind: "target", position, reducing } : { kind: "target", position };
  return accept(alertOf("smart", ask, parsed.data));
}

function alertOf(
  format: ParsedAlert["format"],
  ask: Ask,
  data: { id?: string; ts?: Date; lots_multiplier?: ParsedAlert["lotsMultiplier"]; symbol?: string },
): ParsedAlert {
  return {
    format,
    ask,
    clientId: data.id ?? null,
    sentAt: data.ts ?? null,
    lotsMultiplier: data.lots_multiplier ?? null,
    symbol: data.symbol ?? null,
  };
}

function positionOfSize(size: number): SignalPosition {
  return size > 0 ? "LONG" : size < 0 ? "SHORT" : "FLAT";
}

/** The first string still holding a `{{...}}` placeholder, at any depth, with its dotted path. */
function findPlaceholder(root: Record<string, unknown>): { field: string; placeholder: string } | null {
  const stack: [string, unknown][] = Object.entries(root).reverse();
  while (stack.length > 0) {
    const [path, value] = stack.pop()!;
    if (typeof value === "string") {
      const m = PLACEHOLDER.exec(value);
      if (m) return { field: path, placeholder: m[0] };
    } else if (value !== null && typeof value === "object") {
      const entries = Object.entries(value).map(([k, v]): [string, unknown] => [`${path}.${k}`, v]);
      stack.push(...entries.reverse());
    }
  }
  return null;
}

function placeholderMessage(placeholder: string): string {
  const shown = placeholder.length > 60 ? `${placeholder.slice(0, 57)}...}}` : placeholder;
  return `TradingView did not fill in ${shown}: the alert must be created from a strategy, or the placeholder removed`;
}

function fromZod(error: z.ZodError): Refusal {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : "body";
  return refuse(field, issue?.message ?? "invalid alert");
}

function refuse(field: string, message: string): Refusal {
  return { ok: false, field, message };
}

function accept(alert: ParsedAlert): ParseResult {
  return { ok: true, alert };
}
