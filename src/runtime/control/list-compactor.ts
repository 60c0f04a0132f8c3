import { rmSync } from "node:fs";
import type { Logger } from "../log.js";
import type { CouponStore } from "../store/coupon-store.js";
import { compactListInWorker } from "./list-worker-run.js";

export type CompactingStore = Pick<CouponStore, "listCompactionTarget" | "commitListCompaction">;

/**
 * Folds the applied list deltas into a new code table once they hold the store's threshold of
 * codes, off the hot path: the table is built in a worker thread (it reads every code) and the
 * thread that answers scans only renames it into place. `request()` is called after each applied
 * delta; it does nothing below the threshold, and one compaction runs at a time (a request during
 * one is served after it). A failure is logged and leaves the table and overlay serving.
 */
export class ListCompactor {
  private running: Promise<void> | null = null;
  private again = false;
  private readonly stopping = new AbortController();

  constructor(private readonly opts: { store: CompactingStore; log: Logger; timeoutMs?: number }) {}

  request(): void {
    if (this.stopping.signal.aborted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.request();
      }
    });
  }

  /** Resolves once no compaction is under way or asked for. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }

  private async run(): Promise<void> {
    const { store, log } = this.opts;
    const target = store.listCompactionTarget();
    if (!target) return;
    try {
      const prepared = await compactListInWorker(
        target,
        this.opts.timeoutMs ?? 600_000,
        this.stopping.signal,
      );
      if (!prepared) return;
      if (this.stopping.signal.aborted) {
        rmSync(prepared.stagedTable, { force: true });
        return;
      }
      if (!store.commitListCompaction(prepared))
        log.info("the coupon list changed while it was compacted; the compaction was dropped");
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      log.error({ err }, "compacting the coupon list failed; the table and its overlay keep serving");
    }
  }
}
