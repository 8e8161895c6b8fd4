import { describe, expect, it } from "vitest";
import { alertBodyKind, decodeAlertBody } from "./body";

describe("alertBodyKind", () => {
  const cases: [string | null, "json" | "text" | null][] = [
    ["application/json", "json"],
    ["application/json; charset=utf-8", "json"],
    ["Application/JSON", "json"],
    ["text/plain", "text"],
    ["text/plain;charset=UTF-8", "text"],
    [null, null],
    ["", null],
    ["text/html", null],
    ["application/x-www-form-urlencoded", null],
    ["multipart/form-data; boundary=x", null],
    ["application/xml", null],
    ["application/json-patch+json", null],
    ["text/plainish", null],
  ];
  for (const [type, kind] of cases) it(String(type), () => expect(alertBodyKind(type)).toBe(kind));
});

describe("decodeAlertBody", () => {
  it("decodes UTF-8, dropping a byte-order mark", () => {
    expect(decodeAlertBody(new TextEncoder().encode("EXIT €"))).toBe("EXIT €");
    expect(decodeAlertBody(new Uint8Array([0xef, 0xbb, 0xbf, 0x45, 0x58, 0x49, 0x54]))).toBe("EXIT");
  });
  it("refuses invalid UTF-8 instead of replacing it", () => {
    expect(decodeAlertBody(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toBeNull();
    expect(decodeAlertBody(new Uint8Array([0xe2, 0x82]))).toBeNull();
  });
});
