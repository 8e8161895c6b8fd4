import type { z } from "zod";

/**
 * Plain-language messages for zod's built-in checks, shown under form fields ("Required", "At most 100 characters")
 * instead of zod's developer text ("Invalid input: expected string, received undefined"). Used as the per-parse error
 * map at the HTTP and server-action edges; a message a schema states itself always wins over these.
 */
type Issue = z.core.$ZodRawIssue;

const NOUN: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "yes or no",
  array: "a list",
  object: "an object",
  date: "a date",
  bigint: "a whole number",
};
const FORMAT: Record<string, string> = {
  email: "Enter a valid email address",
  url: "Enter a valid URL (http://… or https://…)",
  uuid: "Not a valid id",
  regex: "Not in the expected format",
  datetime: "Enter a date and time",
  date: "Enter a date (YYYY-MM-DD)",
};

const num = (n: unknown) => (typeof n === "bigint" ? n.toString() : String(n));

function sizeMessage(
  iss: Issue & { origin?: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean },
  big: boolean,
): string {
  const bound = num(big ? iss.maximum : iss.minimum);
  const word = big
    ? iss.inclusive === false
      ? "Less than"
      : "At most"
    : iss.inclusive === false
      ? "More than"
      : "At least";
  switch (iss.origin) {
    case "string":
      if (!big && bound === "1") return "Required";
      return `${word} ${bound} character${bound === "1" ? "" : "s"}`;
    case "array":
    case "set":
      if (!big && bound === "1") return "Choose at least one";
      return `${word} ${bound} item${bound === "1" ? "" : "s"}`;
    default:
      return big
        ? iss.inclusive === false
          ? `Must be less than ${bound}`
          : `Must be ${bound} or less`
        : iss.inclusive === false
          ? `Must be more than ${bound}`
          : `Must be ${bound} or more`;
  }
}

/** The friendly text for one issue, or undefined to keep zod's (never for the codes below). */
export function friendlyIssue(iss: Issue): string | undefined {
  const i = iss as Issue & Record<string, unknown>;
  const missing = i.input === undefined || i.input === null;
  if (missing && (iss.code === "invalid_type" || iss.code === "invalid_value" || iss.code === "invalid_union"))
    return "Required";
  switch (iss.code) {
    case "invalid_type":
      return `Must be ${NOUN[String(i.expected)] ?? String(i.expected)}`;
    case "too_small":
      return sizeMessage(i, false);
    case "too_big":
      return sizeMessage(i, true);
    case "invalid_format":
      return FORMAT[String(i.format)] ?? "Not in the expected format";
    case "invalid_value": {
      const values = (i.values as unknown[] | undefined) ?? [];
      return values.length === 1
        ? `Must be ${JSON.stringify(values[0])}`
        : `Choose one of: ${values.map((v) => String(v)).join(", ")}`;
    }
    case "unrecognized_keys": {
      const keys = (i.keys as string[] | undefined) ?? [];
      return `Unknown field${keys.length === 1 ? "" : "s"}: ${keys.join(", ")}`;
    }
    case "not_multiple_of":
      return `Must be a multiple of ${num(i.divisor)}`;
    case "invalid_union":
    case "invalid_key":
    case "invalid_element":
      return "Not a valid value";
    default:
      return undefined;
  }
}

/** Parse options for `safeParse` at an edge. */
export const FRIENDLY = { error: friendlyIssue } as const;

/** `definition.legs.0.lots` → `leg 1 lots`, `currentPassword` → `current password`; form-level `_` → empty. */
export function fieldLabel(path: string): string {
  const words: string[] = [];
  for (const part of path.split(".")) {
    if (part === "_" || part === "definition") continue;
    if (/^\d+$/.test(part) && words.length)
      words[words.length - 1] = `${words[words.length - 1].replace(/s$/, "")} ${Number(part) + 1}`;
    else words.push(part.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
  }
  return words.join(" ");
}

/**
 * The message of a 400 from an edge: every field in plain words with what to fix (forms also show each message under
 * its input; screens that only show the message still tell the whole story).
 */
export function describeFields(fields: Record<string, string[]>): string {
  const parts = Object.entries(fields).map(([k, msgs]) => {
    const label = fieldLabel(k);
    return label ? `${label} — ${msgs.join(" ")}` : msgs.join(" ");
  });
  return `Please fix: ${parts.join("; ")}`;
}
