import { describe, expect, it } from "vitest";
import { checkHost, isPublicAddress } from "@/lib/brokers/host-policy";

describe("broker host policy", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.9",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "::1",
    "::",
    "fd00::1",
    "fe80::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
  ])("%s is not public", (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(["8.8.8.8", "203.0.114.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])("%s is public", (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );

  it("decides on the resolved addresses: a name that resolves to loopback is refused when private hosts are not allowed", async () => {
    expect(await checkHost("http://localhost:5000/x", false)).toEqual({ ok: false, problem: "not_public" });
    expect(await checkHost("http://127.0.0.1:5000", false)).toEqual({ ok: false, problem: "not_public" });
    expect(await checkHost("ws://[::1]:8765", false)).toEqual({ ok: false, problem: "not_public" });
    const allowed = await checkHost("http://localhost:5000", true);
    expect(allowed.ok).toBe(true);
    expect(await checkHost("http://no-such-host.invalid", true)).toEqual({ ok: false, problem: "unresolvable" });
  });
});
