import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/primitives";
import { ApiReference } from "@/components/api-docs/api-reference";
import { openApiDocument } from "@/lib/http/api-v1/document";
import { apiReference } from "@/lib/http/api-v1/reference";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "API reference" };

/** The /api/v1 reference, rendered from the generated OpenAPI document. */
export default function ApiDocsPage() {
  const origin = new URL(env().APP_URL).origin;
  return (
    <>
      <PageHeader
        title="API reference"
        description="Read the desk and trade with a personal API key. Generated from the OpenAPI 3.1 document."
        actions={
          <a className="text-sm text-indigo-600 underline dark:text-indigo-400" href="/api/v1/openapi.json">
            openapi.json
          </a>
        }
      />
      <ApiReference groups={apiReference(openApiDocument(), origin)} />
    </>
  );
}
