/**
 * The copy graph's cycle check (docs/copy-trading.md "The group and its children"). Every group of an owner, enabled
 * or not, is a set of edges master → child; a group may be saved only when none of its children is its master and
 * its master cannot be reached from any of its children through those edges (A copies B copies A, or longer).
 * Otherwise one master fill would be copied around the loop for ever. Pure: accounts are plain ids.
 */

/** One master → child edge of some group. */
export interface CopyEdge {
  master: string;
  child: string;
}

/**
 * The first cycle the proposed group would close, as the account ids along it (`[master, child, …, master]`), or
 * null when it closes none. `edges` are every other edge of the owner (the proposed group's own stored edges may be
 * among them: they are the same master → child pairs).
 */
export function copyCycle(
  edges: readonly CopyEdge[],
  proposal: { master: string; children: readonly string[] },
): string[] | null {
  const next = new Map<string, string[]>();
  const add = (from: string, to: string) => {
    const list = next.get(from) ?? [];
    if (!list.includes(to)) list.push(to);
    next.set(from, list);
  };
  for (const e of edges) add(e.master, e.child);
  for (const c of proposal.children) add(proposal.master, c);

  for (const child of proposal.children) {
    if (child === proposal.master) return [proposal.master, proposal.master];
    const path = pathTo(next, child, proposal.master);
    if (path) return [proposal.master, ...path];
  }
  return null;
}

/** A shortest path from `from` to `to` (both included) over `next`, breadth first; null when there is none. */
function pathTo(next: ReadonlyMap<string, readonly string[]>, from: string, to: string): string[] | null {
  const cameFrom = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i += 1) {
    const at = queue[i];
    if (at === to) {
      const path: string[] = [];
      for (let step: string | null = at; step !== null; step = cameFrom.get(step) ?? null) path.unshift(step);
      return path;
    }
    for (const n of next.get(at) ?? []) {
      if (cameFrom.has(n)) continue;
      cameFrom.set(n, at);
      queue.push(n);
    }
  }
  return null;
}

/** "A → B → A" with account names (ids where a name is unknown), for the refusal. */
export function describeCycle(path: readonly string[], names: ReadonlyMap<string, string>): string {
  return path.map((id) => names.get(id) ?? id).join(" → ");
}
