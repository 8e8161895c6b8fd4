/**
 * The docs page's view of the OpenAPI document (./document.ts): operations grouped by tag with their parameters,
 * body fields and a curl example, all read from the generated document, never written by hand.
 */
import type { oas31 } from "zod-openapi";
import { SCOPE_EXTENSION } from "./document";

type Schema = oas31.SchemaObject;

export interface ReferenceField {
  name: string;
  in: "path" | "query" | "header" | "body";
  type: string;
  required: boolean;
  description: string;
}
export interface ReferenceOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  scope: string;
  fields: ReferenceField[];
  statuses: string[];
  curl: string;
}
export interface ReferenceGroup {
  tag: string;
  operations: ReferenceOperation[];
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** `string (uuid)`, `"funds" | "orders"`, `integer[]`, ... */
export function typeOf(schema: Schema | oas31.ReferenceObject | undefined): string {
  if (!schema) return "any";
  if ("$ref" in schema && schema.$ref) return schema.$ref.split("/").pop() ?? "object";
  const s = schema as Schema;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.type === "array") return `${typeOf(s.items as Schema | undefined)}[]`;
  const alts = s.oneOf ?? s.anyOf;
  if (alts) return alts.map((a) => typeOf(a)).join(" | ");
  const base = Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "object");
  return s.format ? `${base} (${s.format})` : base;
}

function describe(s: Schema): string {
  const limits = [
    s.minLength !== undefined ? `min length ${s.minLength}` : "",
    s.maxLength !== undefined ? `max length ${s.maxLength}` : "",
    s.minimum !== undefined ? `≥ ${s.minimum}` : "",
    s.maximum !== undefined ? `≤ ${s.maximum}` : "",
    s.default !== undefined ? `default ${JSON.stringify(s.default)}` : "",
  ].filter(Boolean);
  return [s.description ?? "", limits.join(", ")].filter(Boolean).join(" — ");
}

/** Body fields; a union (oneOf/anyOf) of objects lists each variant's fields, its discriminator value noted. */
function bodyFields(s: Schema | undefined): ReferenceField[] {
  if (!s) return [];
  const variants = (s.oneOf ?? s.anyOf ?? [s]) as Schema[];
  const out: ReferenceField[] = [];
  for (const v of variants) {
    const tagged = Object.entries(v.properties ?? {}).find(([, p]) => (p as Schema).const !== undefined);
    const when = variants.length > 1 && tagged ? ` (when ${tagged[0]} = ${typeOf(tagged[1] as Schema)})` : "";
    for (const [name, p] of Object.entries(v.properties ?? {})) {
      if (variants.length > 1 && tagged && name === tagged[0]) continue;
      const prop = p as Schema;
      out.push({
        name,
        in: "body",
        type: typeOf(prop),
        required: (v.required ?? []).includes(name),
        description: describe(prop) + when,
      });
    }
    if (tagged && variants.length > 1)
      out.unshift({ name: tagged[0], in: "body", type: typeOf(tagged[1] as Schema), required: true, description: "" });
  }
  // One row per discriminator: its values joined.
  const seen = new Map<string, ReferenceField>();
  for (const f of out) {
    const prev = seen.get(`${f.name}|${f.description}`);
    if (prev && prev.type !== f.type) prev.type = `${prev.type} | ${f.type}`;
    else if (!prev) seen.set(`${f.name}|${f.description}`, { ...f });
  }
  return [...seen.values()];
}

function example(s: Schema | undefined): Record<string, unknown> {
  const first = ((s?.oneOf ?? s?.anyOf)?.[0] as Schema | undefined) ?? s;
  const out: Record<string, unknown> = {};
  for (const name of first?.required ?? []) {
    const p = first?.properties?.[name] as Schema;
    out[name] =
      p.const ??
      p.enum?.[0] ??
      (p.type === "integer" || p.type === "number" ? 0 : p.type === "array" ? [] : `<${name}>`);
  }
  return out;
}

function curlOf(origin: string, method: string, path: string, op: oas31.OperationObject, body?: Schema): string {
  const url = origin + path.replace(/\{([^}]+)\}/g, "<$1>");
  const lines = [`curl -sS -X ${method.toUpperCase()} '${url}'`];
  if ((op.security ?? []).length) lines.push(`  -H "Authorization: Bearer $MIRRORDESK_API_KEY"`);
  for (const p of (op.parameters ?? []) as oas31.ParameterObject[])
    if (p.in === "header") lines.push(`  -H "${p.name}: $(uuidgen)"`);
  if (op.requestBody) lines.push(`  -H "Content-Type: application/json"`, `  -d '${JSON.stringify(example(body))}'`);
  return lines.join(" \\\n");
}

export function apiReference(doc: oas31.OpenAPIObject, origin: string): ReferenceGroup[] {
  const groups = new Map<string, ReferenceOperation[]>((doc.tags ?? []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = ((op.parameters ?? []) as oas31.ParameterObject[]).map((p): ReferenceField => ({
        name: p.name,
        in: p.in as ReferenceField["in"],
        type: typeOf(p.schema as Schema),
        required: p.required ?? false,
        description: p.description ?? describe((p.schema ?? {}) as Schema),
      }));
      const body = (op.requestBody as oas31.RequestBodyObject | undefined)?.content["application/json"]?.schema as
        Schema | undefined;
      const tag = op.tags?.[0] ?? "Other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag)!.push({
        id: op.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? "",
        description: op.description ?? "",
        scope: String((op as Record<string, unknown>)[SCOPE_EXTENSION] ?? "read"),
        fields: [...params, ...bodyFields(body)],
        statuses: Object.keys(op.responses ?? {}),
        curl: curlOf(origin, method, path, op, body),
      });
    }
  }
  return [...groups].filter(([, ops]) => ops.length).map(([tag, operations]) => ({ tag, operations }));
}
