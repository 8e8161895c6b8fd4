import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decideSignal, describeDecision } from "./decide";
import type { Ask, Decision, SignalPosition, SignalState, WebhookMode, WebhookRules } from "./types";

/**
 * The whole target-position table, written out by hand (docs/webhooks.md "Target position"). A position held is at
 * entry 1 of at most 3. Cells: `ENTRY LONG 1` = send ENTRY, ending LONG with 1 entry; `ignore`; `refuse`.
 */
const ASKS: [string, Ask][] = [
  ["enter long", { kind: "enter", direction: "LONG" }],
  ["enter short", { kind: "enter", direction: "SHORT" }],
  ["enter (no side)", { kind: "enter", direction: null }],
  ["exit", { kind: "exit" }],
  ["reverse", { kind: "reverse" }],
  ["target flat", { kind: "target", position: "FLAT" }],
  ["target long", { kind: "target", position: "LONG" }],
  ["target short", { kind: "target", position: "SHORT" }],
];

type Row = [WebhookMode, SignalPosition, "pyramid" | "single", ...string[]];
// prettier-ignore
const TABLE: Row[] = [
  //  mode    state    pyramiding  enter long        enter short        enter (no side)    exit           reverse            target flat    target long        target short
  ["BOTH",  "FLAT",  "single",  "ENTRY LONG 1",   "ENTRY SHORT 1",   "refuse",          "ignore",      "ignore",          "ignore",      "ENTRY LONG 1",    "ENTRY SHORT 1"],
  ["BOTH",  "FLAT",  "pyramid", "ENTRY LONG 1",   "ENTRY SHORT 1",   "refuse",          "ignore",      "ignore",          "ignore",      "ENTRY LONG 1",    "ENTRY SHORT 1"],
  ["BOTH",  "LONG",  "single",  "ignore",         "refuse",          "refuse",          "EXIT FLAT 0", "REVERSE SHORT 1", "EXIT FLAT 0", "ignore",          "REVERSE SHORT 1"],
  ["BOTH",  "LONG",  "pyramid", "ENTRY LONG 2",   "refuse",          "refuse",          "EXIT FLAT 0", "REVERSE SHORT 1", "EXIT FLAT 0", "ENTRY LONG 2",    "REVERSE SHORT 1"],
  ["BOTH",  "SHORT", "single",  "refuse",         "ignore",          "refuse",          "EXIT FLAT 0", "REVERSE LONG 1",  "EXIT FLAT 0", "REVERSE LONG 1",  "ignore"],
  ["BOTH",  "SHORT", "pyramid", "refuse",         "ENTRY SHORT 2",   "refuse",          "EXIT FLAT 0", "REVERSE LONG 1",  "EXIT FLAT 0", "REVERSE LONG 1",  "ENTRY SHORT 2"],
  ["LONG",  "FLAT",  "single",  "ENTRY LONG 1",   "refuse",          "ENTRY LONG 1",    "ignore",      "ignore",          "ignore",      "ENTRY LONG 1",    "refuse"],
  ["LONG",  "FLAT",  "pyramid", "ENTRY LONG 1",   "refuse",          "ENTRY LONG 1",    "ignore",      "ignore",          "ignore",      "ENTRY LONG 1",    "refuse"],
  ["LONG",  "LONG",  "single",  "ignore",         "refuse",          "ignore",          "EXIT FLAT 0", "refuse",          "EXIT FLAT 0", "ignore",          "refuse"],
  ["LONG",  "LONG",  "pyramid", "ENTRY LONG 2",   "refuse",          "ENTRY LONG 2",    "EXIT FLAT 0", "refuse",          "EXIT FLAT 0", "ENTRY LONG 2",    "refuse"],
  // SHORT under a LONG-only webhook: left from before the mode was changed; it can still be closed or turned long.
  ["LONG",  "SHORT", "single",  "refuse",         "ignore",          "refuse",          "EXIT FLAT 0", "REVERSE LONG 1",  "EXIT FLAT 0", "REVERSE LONG 1",  "ignore"],
  ["LONG",  "SHORT", "pyramid", "refuse",         "refuse",          "refuse",          "EXIT FLAT 0", "REVERSE LONG 1",  "EXIT FLAT 0", "REVERSE LONG 1",  "refuse"],
  ["SHORT", "FLAT",  "single",  "refuse",         "ENTRY SHORT 1",   "ENTRY SHORT 1",   "ignore",      "ignore",          "ignore",      "refuse",          "ENTRY SHORT 1"],
  ["SHORT", "FLAT",  "pyramid", "refuse",         "ENTRY SHORT 1",   "ENTRY SHORT 1",   "ignore",      "ignore",          "ignore",      "refuse",          "ENTRY SHORT 1"],
  ["SHORT", "SHORT", "single",  "refuse",         "ignore",          "ignore",          "EXIT FLAT 0", "refuse",          "EXIT FLAT 0", "refuse",          "ignore"],
  ["SHORT", "SHORT", "pyramid", "refuse",         "ENTRY SHORT 2",   "ENTRY SHORT 2",   "EXIT FLAT 0", "refuse",          "EXIT FLAT 0", "refuse",          "ENTRY SHORT 2"],
  ["SHORT", "LONG",  "single",  "ignore",         "refuse",          "refuse",          "EXIT FLAT 0", "REVERSE SHORT 1", "EXIT FLAT 0", "ignore",          "REVERSE SHORT 1"],
  ["SHORT", "LONG",  "pyramid", "refuse",         "refuse",          "refuse",          "EXIT FLAT 0", "REVERSE SHORT 1", "EXIT FLAT 0", "refuse",          "REVERSE SHORT 1"],
];

function cell(d: Decision): string {
  return d.kind === "send" ? `${d.action} ${d.to} ${d.next.entries}` : d.kind;
}

describe("decideSignal: the target-position table", () => {
  it("covers every mode × state × pyramiding", () => expect(TABLE).toHaveLength(18));
  for (const [mode, position, pyramid, ...cells] of TABLE) {
    const rules: WebhookRules = { mode, pyramiding: pyramid === "pyramid", maxEntries: 3 };
    const state: SignalState = { position, entries: position === "FLAT" ? 0 : 1 };
    ASKS.forEach(([askName, ask], i) => {
      it(`${mode} webhook, ${position}, ${pyramid}: ${askName} → ${cells[i]}`, () => {
        const d = decideSignal(ask, state, rules);
        expect(cell(d)).toBe(cells[i]);
        expect(d.from).toBe(position);
        if (d.kind === "send") expect(d.next.position).toBe(d.to);
      });
    });
  }
});

describe("decideSignal: reasons", () => {
  const both: WebhookRules = { mode: "BOTH", pyramiding: false, maxEntries: 1 };
  const cases: [string, Ask, SignalState, WebhookRules, string][] = [
    ["exit when flat", { kind: "exit" }, { position: "FLAT", entries: 0 }, both, "already flat"],
    [
      "reverse when flat",
      { kind: "reverse" },
      { position: "FLAT", entries: 0 },
      both,
      "already flat: nothing to reverse",
    ],
    [
      "entry without pyramiding",
      { kind: "enter", direction: "LONG" },
      { position: "LONG", entries: 1 },
      both,
      "already long: pyramiding is off",
    ],
    [
      "entry at the most entries",
      { kind: "enter", direction: "SHORT" },
      { position: "SHORT", entries: 4 },
      { mode: "BOTH", pyramiding: true, maxEntries: 4 },
      "already short: at most 4 entries",
    ],
    [
      "entry on the other side",
      { kind: "enter", direction: "LONG" },
      { position: "SHORT", entries: 1 },
      both,
      "the strategy is short: an entry does not reverse it; send REVERSE or EXIT",
    ],
    [
      "entry without a side on a two-sided webhook",
      { kind: "enter", direction: null },
      { position: "FLAT", entries: 0 },
      both,
      "this webhook trades both sides: say long or short (ENTRY LONG or ENTRY SHORT)",
    ],
    [
      "short on a long-only webhook",
      { kind: "target", position: "SHORT" },
      { position: "FLAT", entries: 0 },
      { mode: "LONG", pyramiding: false, maxEntries: 1 },
      "this webhook is long-only: it never makes the strategy short",
    ],
    [
      "long on a short-only webhook",
      { kind: "enter", direction: "LONG" },
      { position: "FLAT", entries: 0 },
      { mode: "SHORT", pyramiding: false, maxEntries: 1 },
      "this webhook is short-only: it never makes the strategy long",
    ],
    [
      "a partial exit with pyramiding on",
      { kind: "target", position: "LONG", reducing: true },
      { position: "LONG", entries: 1 },
      { mode: "BOTH", pyramiding: true, maxEntries: 5 },
      "already long: a partial exit keeps the strategy long",
    ],
  ];
  for (const [name, ask, state, rules, message] of cases) {
    it(name, () => {
      const d = decideSignal(ask, state, rules);
      expect(d.kind).not.toBe("send");
      expect(d.kind !== "send" && d.message).toBe(message);
    });
  }

  it("a reducing target from flat or the other side is an ordinary target", () => {
    const rules: WebhookRules = { mode: "BOTH", pyramiding: true, maxEntries: 5 };
    const ask: Ask = { kind: "target", position: "SHORT", reducing: true };
    expect(cell(decideSignal(ask, { position: "FLAT", entries: 0 }, rules))).toBe("ENTRY SHORT 1");
    expect(cell(decideSignal(ask, { position: "LONG", entries: 2 }, rules))).toBe("REVERSE SHORT 1");
  });

  it("pyramiding stops at the most entries", () => {
    const rules: WebhookRules = { mode: "BOTH", pyramiding: true, maxEntries: 3 };
    const ask: Ask = { kind: "enter", direction: "LONG" };
    expect(cell(decideSignal(ask, { position: "LONG", entries: 2 }, rules))).toBe("ENTRY LONG 3");
    expect(cell(decideSignal(ask, { position: "LONG", entries: 3 }, rules))).toBe("ignore");
  });
});

describe("describeDecision", () => {
  const rules: WebhookRules = { mode: "BOTH", pyramiding: true, maxEntries: 3 };
  const cases: [Ask, SignalState, string][] = [
    [{ kind: "enter", direction: "LONG" }, { position: "FLAT", entries: 0 }, "entry: flat → long"],
    [{ kind: "enter", direction: "LONG" }, { position: "LONG", entries: 1 }, "entry added: long, entry 2 since flat"],
    [{ kind: "exit" }, { position: "SHORT", entries: 2 }, "exit: short → flat"],
    [{ kind: "reverse" }, { position: "SHORT", entries: 2 }, "reverse: short → long"],
    [{ kind: "exit" }, { position: "FLAT", entries: 0 }, "already flat"],
  ];
  for (const [ask, state, text] of cases) {
    it(text, () => expect(describeDecision(decideSignal(ask, state, rules))).toBe(text));
  }
});

describe("decideSignal: properties", () => {
  const direction = fc.constantFrom("LONG" as const, "SHORT" as const);
  const position = fc.constantFrom("FLAT" as const, "LONG" as const, "SHORT" as const);
  const ask: fc.Arbitrary<Ask> = fc.oneof(
    fc.record({ kind: fc.constant("enter" as const), direction: fc.option(direction, { nil: null }) }),
    fc.constant({ kind: "exit" as const }),
    fc.constant({ kind: "reverse" as const }),
    fc.record({ kind: fc.constant("target" as const), position, reducing: fc.boolean() }),
  );
  const rules: fc.Arbitrary<WebhookRules> = fc.record({
    mode: fc.constantFrom("LONG" as const, "SHORT" as const, "BOTH" as const),
    pyramiding: fc.boolean(),
    maxEntries: fc.integer({ min: 1, max: 10 }),
  });
  const stateWithin = (r: WebhookRules): fc.Arbitrary<SignalState> =>
    position.chain((p): fc.Arbitrary<SignalState> =>
      p === "FLAT"
        ? fc.constant({ position: p, entries: 0 })
        : fc.integer({ min: 1, max: r.maxEntries }).map((entries) => ({ position: p, entries })),
    );
  const world = rules.chain((r) => fc.tuple(ask, stateWithin(r), fc.constant(r)));

  it("an exit never ends anywhere but flat", () => {
    fc.assert(
      fc.property(world, ([, state, r]) => {
        const d = decideSignal({ kind: "exit" }, state, r);
        return d.kind !== "send" || (d.action === "EXIT" && d.to === "FLAT" && d.next.entries === 0);
      }),
      { seed: 15, numRuns: 2000 },
    );
  });

  it("entries never exceed the most allowed", () => {
    fc.assert(
      fc.property(world, ([a, state, r]) => {
        const d = decideSignal(a, state, r);
        return d.kind !== "send" || d.next.entries <= r.maxEntries;
      }),
      { seed: 16, numRuns: 2000 },
    );
  });

  it("a side changes only when a reverse or a target on the other side was asked for", () => {
    fc.assert(
      fc.property(world, ([a, state, r]) => {
        const d = decideSignal(a, state, r);
        if (d.kind !== "send" || state.position === "FLAT" || d.to === "FLAT" || d.to === state.position) return true;
        return a.kind === "reverse" || (a.kind === "target" && a.position === d.to);
      }),
      { seed: 17, numRuns: 2000 },
    );
  });

  it("a send never ends on a side the mode forbids, unless it is an exit", () => {
    fc.assert(
      fc.property(world, ([a, state, r]) => {
        const d = decideSignal(a, state, r);
        return d.kind !== "send" || d.to === "FLAT" || r.mode === "BOTH" || d.to === r.mode;
      }),
      { seed: 18, numRuns: 2000 },
    );
  });
});
