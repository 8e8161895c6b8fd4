/**
 * HTTP to one Dhan host (API, auth or the scrip-master download). One call is one attempt: callers decide what may be
 * repeated. Nothing here logs a header or a body (they carry the token and the app secret).
 */
import { type HttpOutcome, OpenAlgoTransport, type TransportOptions } from "@/lib/brokers/openalgo/client";

export type { HttpOutcome };

export type DhanHttpOptions = TransportOptions;

export interface DhanRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path below the base, starting with `/`. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Dhan's requests (query, JSON body) over the project's one HTTP transport (lib/brokers/openalgo/client.ts): its
 * keep-alive pool per origin, timeouts, failure codes and host policy. A login or a connection test passes
 * `pooled: false`, so its connections use the addresses it has just checked.
 */
export class DhanHttp {
  /** Host and path prefix for log lines. */
  readonly host: string;
  private readonly transport: OpenAlgoTransport;

  constructor(baseUrl: string, options: DhanHttpOptions = {}) {
    this.transport = new OpenAlgoTransport(baseUrl, { maxBodyBytes: 8 * 1024 * 1024, ...options });
    this.host = this.transport.host;
  }

  /** One request. Never throws: every outcome is a value (a CSV answer keeps its text; its `body` is undefined). */
  request(r: DhanRequest): Promise<HttpOutcome> {
    const query = new URLSearchParams(r.query ?? {}).toString();
    const payload = r.body === undefined ? undefined : JSON.stringify(r.body);
    const headers: Record<string, string> = { Accept: "application/json", ...r.headers };
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    return this.transport.request(r.method, query ? `${r.path}?${query}` : r.path, headers, payload);
  }

  close(): void {
    this.transport.close();
  }
}
