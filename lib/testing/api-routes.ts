/// <reference types="vite/client" />
/** Every route handler under app/api, discovered by globbing the route files (test kit; never used by product code). */

export type Handler = (
  req: Request,
  segment?: { params?: Promise<Record<string, string | string[]>> },
) => Promise<Response>;
export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

export interface ApiRoute {
  /** `/api/accounts/[id]/orders/[orderId]` */
  template: string;
  /** Dynamic segment names in order (`id`, `orderId`; a catch-all's name without dots). */
  params: string[];
  methods: Partial<Record<Method, Handler>>;
}

const modules = import.meta.glob<Record<string, unknown>>("/app/api/**/route.ts");

/** Imports every route module and lists its exported methods. */
export async function discoverApiRoutes(): Promise<ApiRoute[]> {
  const out: ApiRoute[] = [];
  for (const [file, load] of Object.entries(modules).sort(([a], [b]) => a.localeCompare(b))) {
    const template = file.replace(/^\/app/, "").replace(/\/route\.ts$/, "");
    const params = [...template.matchAll(/\[(?:\.\.\.)?([^\]]+)\]/g)].map((m) => m[1]);
    const mod = await load();
    const methods: Partial<Record<Method, Handler>> = {};
    for (const m of METHODS) if (typeof mod[m] === "function") methods[m] = mod[m] as Handler;
    out.push({ template, params, methods });
  }
  return out;
}

/** Fills a template's dynamic segments: `/api/runs/[id]` + {id} → `/api/runs/<id>`. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_, name: string) => encodeURIComponent(values[name] ?? "x"));
}
