import { describe, expect, it } from "vitest";
import { flaskJson, pythonJson, restxJson } from "./json";

describe("flaskJson", () => {
  it("sorts keys at every depth, prints compactly and ends with a newline", () => {
    const body = { status: "success", data: { zeta: 1, alpha: [{ b: 2, a: 1 }] }, mode: "analyze" };
    expect(flaskJson(body)).toBe('{"data":{"alpha":[{"a":1,"b":2}],"zeta":1},"mode":"analyze","status":"success"}\n');
  });

  it("escapes non-ASCII like Python's ensure_ascii and drops undefined keys", () => {
    expect(flaskJson({ message: "Required: ₹5.00", skip: undefined })).toBe('{"message":"Required: \\u20b95.00"}\n');
  });

  it("writes null for non-finite numbers rather than invalid JSON", () => {
    expect(JSON.parse(flaskJson({ a: Number.NaN, b: Infinity }))).toEqual({ a: null, b: null });
  });
});

describe("pythonJson", () => {
  it("keeps insertion order with json.dumps separators", () => {
    expect(pythonJson({ type: "pong", status: "success", list: [1, "a"], nested: { z: null, a: true } })).toBe(
      '{"type": "pong", "status": "success", "list": [1, "a"], "nested": {"z": null, "a": true}}',
    );
  });

  it("restx bodies add the trailing newline (the observed 429 body)", () => {
    expect(restxJson({ message: "50 per 1 second" })).toBe('{"message": "50 per 1 second"}\n');
  });
});
