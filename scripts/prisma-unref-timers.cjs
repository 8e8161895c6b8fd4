// Prisma 6.19.3's Wasm schema engine arms 10 s / 60 s timers it never clears, so the CLI lingers after
// `migrate deploy` has finished. Unref long timers so the process exits when its work is done.
const orig = global.setTimeout;
global.setTimeout = function patched(fn, ms, ...args) {
  const t = orig(fn, ms, ...args);
  if (typeof ms === "number" && ms >= 5000 && t && typeof t.unref === "function") t.unref();
  return t;
};
