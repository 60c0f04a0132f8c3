import type { FlowEffects, PrintJob } from "./effects.js";
import type { PrintProblem } from "./view.js";

/** Where one print stands: what the screen that asked for it says. */
export type PrintState = "printing" | "printed" | "failed";

/**
 * Sends print jobs without waiting for them and remembers what went wrong, so the screen can say
 * so until a print works again.
 */
export class PrintTracker {
  problem: PrintProblem | null = null;

  constructor(
    private readonly effects: FlowEffects,
    /** Called when a print ended (possibly later, when the printer answers). */
    private readonly changed: () => void,
  ) {}

  /** Sends `job`; `settled` hears how it ended. Returns the state at once ("printing" while pending). */
  print(job: PrintJob, settled?: (state: Exclude<PrintState, "printing">) => void): PrintState {
    let pending: void | Promise<void>;
    try {
      pending = this.effects.print(job);
    } catch (err) {
      this.failed(job, err, settled);
      return "failed";
    }
    if (pending instanceof Promise) {
      pending.then(
        () => this.succeeded(job, settled),
        (err: unknown) => this.failed(job, err, settled),
      );
      return "printing";
    }
    this.succeeded(job, settled);
    return "printed";
  }

  dismiss(): void {
    this.problem = null;
  }

  /** A receipt that prints clears a receipt's problem (the printer works again); a report only a report's. */
  private succeeded(job: PrintJob, settled?: (state: "printed") => void): void {
    settled?.("printed");
    const problem = this.problem;
    if (problem && (job.kind === "report") === (problem.job === "report")) this.problem = null;
    this.changed();
  }

  private failed(job: PrintJob, err: unknown, settled?: (state: "failed") => void): void {
    settled?.("failed");
    this.problem = { job: job.kind, detail: err instanceof Error ? err.message : String(err) };
    this.effects.bell();
    this.changed();
  }
}
