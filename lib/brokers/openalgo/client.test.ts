import { describe, expect, it } from "vitest";
import { apiUrl, parseBaseUrl } from "./client";

const endpoint = (base: string, name = "placeorder") => apiUrl(parseBaseUrl(base), name).href;

describe("OpenAlgo endpoint URLs", () => {
  it("put /api/v1 at the root of a host URL without a path, with or without trailing slashes", () => {
    for (const base of ["http://127.0.0.1:5000", "http://127.0.0.1:5000/", "http://127.0.0.1:5000//"]) {
      expect(endpoint(base)).toBe("http://127.0.0.1:5000/api/v1/placeorder");
    }
    expect(endpoint("https://algo.example.in")).toBe("https://algo.example.in/api/v1/placeorder");
  });

  it("keep a path prefix, with or without a trailing slash", () => {
    for (const base of ["http://127.0.0.1:5055/i/demo1", "http://127.0.0.1:5055/i/demo1/"]) {
      expect(endpoint(base, "funds")).toBe("http://127.0.0.1:5055/i/demo1/api/v1/funds");
    }
  });

  it("drop query and fragment and keep the origin's port and scheme", () => {
    expect(endpoint("https://h:8443/x/?a=1#f", "ping")).toBe("https://h:8443/x/api/v1/ping");
    expect(parseBaseUrl("http://h:5000")).toEqual({ origin: "http://h:5000", prefix: "", secure: false });
  });

  it("refuse schemes other than http(s)", () => {
    expect(() => parseBaseUrl("ftp://h/")).toThrow(TypeError);
  });
});
