/**
 * Group commit for a hot statement (docs/database-access.md "Hot paths"): calls that arrive while the previous batch
 * is in the database wait for it and then go together, as one statement. At low load every call goes alone and at
 * once; under load the batches grow and the round trips (each a few expensive system calls) stay few. Each caller
 * still gets its own result, or its batch's error, only after the statement has run.
 */
export class GroupCommit<I, O> {
  private queued: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  /** `run` gets the items of one batch and returns one result per item, in the same order. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 200,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queued.length > 0) {
        const batch = this.queued.splice(0, this.maxBatch);
        try {
          const out = await this.run(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(out[i]));
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
