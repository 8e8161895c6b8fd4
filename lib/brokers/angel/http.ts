/**
 * HTTP to Angel One's SmartAPI (docs/brokers/angel.md "Transport") over the project's one HTTP transport
 * (lib/brokers/openalgo/client.ts: keep-alive pool per origin, connect and answer timeouts, failure codes, the
 * operator's host resolver). One call is one attempt; nothing here logs a header or a body (the Bearer token and the
 * API key travel in headers). The client headers Angel asks for carry fixed placeholders, never this machine's
 * addresses. A login or a connection test passes `pooled: false`, so its connections use the addresses it checked.
 */
import { type HttpOutcome, OpenAlgoTransport, type TransportOptions } from "@/lib/brokers/openalgo/client";

/** Fixed values for Angel's client-identification headers (docs/brokers/angel.md "Headers"). */
export const CLIENT_HEADERS = {
  "X-UserType": "USER",
  "X-SourceID": "WEB",
  "X-ClientLocalIP": "127.0.0.1",
  "X-ClientPublicIP": "127.0.0.1",
  "X-MACAddress": "00:00:00:00:00:00",
} as const;

export type AngelHttpOptions = TransportOptions;
export type AngelOutcome = HttpOutcome;

export class AngelHttp {
  readonly host: string;
  private readonly transport: OpenAlgoTransport;

  constructor(baseUrl: string, options: AngelHttpOptions = {}) {
    this.transport = new OpenAlgoTransport(baseUrl, options);
    this.host = this.transport.host;
  }

  /** One call to `path` (below the base URL). Never throws: every outcome is a value. */
  call(
    method: "GET" | "POST",
    path: string,
    opts: { apiKey: string; token?: string; body?: unknown },
  ): Promise<AngelOutcome> {
    const headers: Record<string, string> = {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-PrivateKey": opts.apiKey,
      ...CLIENT_HEADERS,
    };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    return this.transport.request(
      method,
      path,
      headers,
      method === "POST" ? JSON.stringify(opts.body ?? {}) : undefined,
    );
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
