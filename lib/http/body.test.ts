import { describe, expect, it } from "vitest";
import { PayloadTooLargeError } from "@/lib/errors";
import { readBodyText } from "./body";

function streamOf(chunks: number, chunkBytes: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled === chunks) return controller.close();
        pulled += 1;
        controller.enqueue(new Uint8Array(chunkBytes).fill(120));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

describe("readBodyText", () => {
  it("reads a body within the limit", async () => {
    const req = new Request("http://x/", { method: "POST", body: '{"a":"é"}' });
    expect(await readBodyText(req, 100)).toBe('{"a":"é"}');
  });
  it("refuses on the declared Content-Length before reading anything", async () => {
    const { stream, pulled } = streamOf(10, 1024);
    const req = new Request("http://x/", {
      method: "POST",
      body: stream,
      headers: { "content-length": "10240" },
      duplex: "half",
    } as RequestInit);
    await expect(readBodyText(req, 4096)).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(pulled()).toBe(0);
  });
  it("stops a chunked body without Content-Length as soon as it passes the limit", async () => {
    const { stream, pulled } = streamOf(1000, 1024);
    const req = new Request("http://x/", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    await expect(readBodyText(req, 4096)).rejects.toThrow("Request body too large: at most 4 KB is accepted");
    expect(pulled()).toBe(5);
  });
});
