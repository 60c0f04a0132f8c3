import type { FlowEffects, PrintJob } from "./effects.js";
import type { PrintProblem } from "./view.js";

/**
 * Sends print jobs without waiting for them and remembers what went wrong, so the screen can say
 * so until a print works again. Also keeps the last receipt for "reprint".
 */
export class PrintTracker {
  problem: PrintProblem | null = null;
  /** The last redemption or void receipt asked for, printed or not. */
  lastReceipt: Extract<PrintJob, { kind: "redemption" | "void" }> | null = null;

  constructor(
    private readonly effects: FlowEffects,
    /** Called when a print's outcome changed `problem` (possibly later, when the printer answers). */
    private readonly changed: () => void,
  ) {}

  print(job: PrintJob): void {
    if (job.kind !== "report" && !job.reprint) this.lastReceipt = job;
    let pending: void | Promise<void>;
    try {
      pending = this.effects.print(job);
    } catch (err) {
      this.failed(job, err);
      return;
    }
    if (pending instanceof Promise) {
      pending.then(
        () => this.succeeded(job),
        (err: unknown) => this.failed(job, err),
      );
    } else this.succeeded(job);
  }

  dismiss(): void {
    this.problem = null;
  }

  /** A receipt that prints clears a receipt's problem (the printer works again); a report only a report's. */
  private succeeded(job: PrintJob): void {
    const problem = this.problem;
    if (!problem || (job.kind === "report") !== (problem.job === "report")) return;
    this.problem = null;
    this.changed();
  }

  private failed(job: PrintJob, err: unknown): void {
    this.problem = { job: job.kind, detail: err instanceof Error ? err.message : String(err) };
    this.effects.bell();
    this.changed();
  }
}
