import type { PrintJob } from "../receipts/print-job.js";

export type { PrintJob };

/** Side effects the flow requests. It never waits for them: a failed print is shown, never fatal. */
export interface FlowEffects {
  /** May throw or reject; the flow then shows that the receipt did not print. */
  print(job: PrintJob): void | Promise<void>;
  /** Rejection buzzer. */
  bell(): void;
}
