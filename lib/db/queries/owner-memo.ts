/**
 * An account's or a run's owner never changes, so hot paths (every intent event, every fill notification) remember
 * it per process: `read` is asked only for ids not yet known. Bounded: the oldest are forgotten first. An id whose
 * owner is null or unknown is not remembered.
 */
export function ownerMemo(
  read: (ids: string[]) => Promise<ReadonlyMap<string, string | null>>,
  max = 20_000,
): (ids: readonly string[]) => Promise<Map<string, string>> {
  const known = new Map<string, string>();
  return async (ids) => {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const owner = known.get(id);
      if (owner) out.set(id, owner);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    for (const [id, owner] of await read(missing)) {
      if (!owner) continue;
      if (known.size >= max) known.delete(known.keys().next().value!);
      known.set(id, owner);
      out.set(id, owner);
    }
    return out;
  };
}
