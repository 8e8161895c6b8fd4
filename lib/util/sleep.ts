/** Resolves after `ms` milliseconds: the pause between polls of a loop that waits on something outside. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
