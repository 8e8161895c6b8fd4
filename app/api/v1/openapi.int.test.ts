/**
 * The generated OpenAPI document: valid OpenAPI 3.1 (checked by a maintained validator), and in step with the route
 * files under app/api/v1 — every exported method is an operation and every operation has its route.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, SCOPE_EXTENSION } from "@/lib/http/api-v1/document";
import { discoverApiRoutes } from "@/lib/testing/api-routes";

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
/** `/api/v1/runs/[id]` → `/api/v1/runs/{id}` */
const openApiPath = (template: string) => template.replace(/\[([^\]]+)\]/g, "{$1}");

describe("the /api/v1 OpenAPI document", () => {
  const doc = buildOpenApiDocument();

  it("is a valid OpenAPI 3.1 document", async () => {
    type Spec = Parameters<Validator["validate"]>[0];
    const result = await new Validator().validate(structuredClone(doc) as unknown as Spec);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
    // The validator does reject: the same document with one operation's responses broken is invalid.
    const broken = structuredClone(doc) as unknown as { paths: Record<string, { get?: { responses: unknown } }> };
    broken.paths["/api/v1/me"].get!.responses = "none";
    expect((await new Validator().validate(broken as Spec)).valid).toBe(false);
  });

  it("lists exactly the methods the route files export, in both directions", async () => {
    const routes = (await discoverApiRoutes()).filter((r) => r.template.startsWith("/api/v1/"));
    const fromRoutes = routes.flatMap((r) => Object.keys(r.methods).map((m) => `${m} ${openApiPath(r.template)}`));
    const fromDoc = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(fromRoutes.length).toBeGreaterThanOrEqual(18);
    expect(fromDoc.sort()).toEqual(fromRoutes.sort());
  });

  it("documents the key, the scope and the one error shape on every keyed operation", () => {
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        const where = `${m} ${path}`;
        const scope = (op as Record<string, unknown>)[SCOPE_EXTENSION];
        if (scope === "public") {
          expect(op.security, where).toEqual([]);
          continue;
        }
        expect(scope, where).toBe(m === "get" || path.endsWith("/preview") ? "read" : "trade");
        expect(op.security, where).toEqual([{ apiKey: [] }]);
        for (const status of ["401", "403", "429"])
          expect(op.responses?.[status], `${where} ${status}`).toMatchObject({
            content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
          });
      }
    }
    const execute = doc.paths?.["/api/v1/strategies/{id}/execute"]?.post;
    expect(Object.keys(execute?.responses ?? {})).toEqual(
      expect.arrayContaining(["201", "400", "401", "403", "404", "409", "413", "415", "423", "429"]),
    );
    expect(execute?.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: "header", name: "Idempotency-Key" })]),
    );
    expect(doc.components?.securitySchemes?.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
  });
});
