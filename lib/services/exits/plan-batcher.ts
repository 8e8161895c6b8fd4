import { appendExitRun, nextExitPass, updateExitAccounts, type ExitWithAccounts } from "@/lib/db/queries/exits";
import type { DispatchOptions } from "@/lib/services/dispatch";
import { exitRunPreview } from "@/lib/trading/exit-plan";
import type { AttemptOutcome } from "./attempt";
import type { ExitPorts } from "./ports";

const BATCH_MS = 15;

type Account = ExitWithAccounts["accounts"][number];
type Plan = Extract<AttemptOutcome, { kind: "plan" }>;

/** Collects plans ready within BATCH_MS and sends them as one EXIT run per owner. */
export class PlanBatcher {
  private queue: { a: Account; plan: Plan; resolve: (runId: string) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly exit: ExitWithAccounts,
    private readonly dispatch: Partial<DispatchOptions>,
    private readonly stillMine: () => Promise<boolean>,
    private readonly createRun: ExitPorts["createRun"],
  ) {}

  submit(a: Account, plan: Plan): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ a, plan, resolve, reject });
      this.timer ??= setTimeout(() => void this.flush(), BATCH_MS);
    });
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const batch = this.queue.splice(0);
    const byOwner = new Map<string, typeof batch>();
    for (const b of batch) byOwner.set(b.plan.ownerId, [...(byOwner.get(b.plan.ownerId) ?? []), b]);
    try {
      // Planned under the lease; sent only if it is still ours (a stalled driver whose lease lapsed must not send).
      if (!(await this.stillMine()))
        throw new Error(`exit ${this.exit.id}: lease lost before sending; another worker drives it`);
      const pass = await nextExitPass(this.exit.id);
      await Promise.all([...byOwner].map(([ownerId, group]) => this.send(ownerId, group, pass)));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }

  private async send(ownerId: string, group: typeof this.queue, pass: number): Promise<void> {
    const ids = group.map((b) => b.a.accountId);
    const key = `exit:${this.exit.id}:${pass}:${ownerId}`;
    await updateExitAccounts(this.exit.id, ids, { pendingRunKey: key });
    const { preview, attribution } = exitRunPreview(
      this.exit.id,
      group.map((b) => ({ accountId: b.a.accountId, accountName: b.plan.accountName, plan: b.plan.plan })),
    );
    const run = await this.createRun({
      ownerId,
      strategyId: this.exit.strategyId,
      kind: "EXIT",
      idempotencyKey: key,
      triggeredAt: new Date(),
      preview: { ...preview, exit: attribution } as typeof preview,
      dispatch: this.dispatch,
    });
    await updateExitAccounts(this.exit.id, ids, {
      currentRunId: run.runId,
      pendingRunKey: null,
      attemptsDelta: 1,
      message: `exit orders sent in run ${run.runId}`,
    });
    await appendExitRun(this.exit.id, run.runId);
    // The next attempts' scope includes this run's orders (to cancel what still works, to wait for what is unsettled).
    if (!this.exit.runIds.includes(run.runId)) this.exit.runIds.push(run.runId);
    for (const b of group) b.resolve(run.runId);
  }
}
