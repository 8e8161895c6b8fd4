import { v1Route } from "@/lib/http/api-v1/route";
import { openApiDocument } from "@/lib/http/api-v1/document";
import { openApiOperation } from "@/lib/http/api-v1/operations";

/** The generated OpenAPI 3.1 document; public, built once per process. */
export const GET = v1Route(openApiOperation, async () => openApiDocument());
