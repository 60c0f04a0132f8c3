import type { PhysicalKey } from "./keymap.js";

export type NetworkStatus = "online" | "offline" | "disabled";

/** What the printer driver last reported. "unknown" until it has said anything. */
export type PrinterHealth = "ok" | "paper_low" | "paper_out" | "cover_open" | "offline" | "error" | "unknown";

/**
 * A health report from one of the terminal's parts. Each field is optional so every part reports
 * only what it knows (the printer its status, the uplink the network and the unsent count).
 */
export interface HealthReport {
  printer?: PrinterHealth;
  network?: NetworkStatus;
  /** Redemptions not yet acknowledged by the server; null when reporting is off or unknown. */
  unsent?: number | null;
  /** Open conflicts the merchant flagged on this till's redemptions (a code redeemed beyond its uses). */
  conflicts?: number;
  /** Parts of the terminal that failed to start or stopped working (the composition root's names). */
  faults?: string[];
}

/** Everything the flow reacts to, each handled as `flow.handle(event, nowMs)`. */
export type FlowEvent =
  | { type: "key"; key: PhysicalKey }
  | { type: "scan"; text: string }
  /** A code being typed letter by letter on the console keyboard; null when finished or dropped. */
  | { type: "typing"; text: string | null }
  /** The clock: drives timeouts and the time on screen. About once a second is plenty. */
  | { type: "tick" }
  | ({ type: "health" } & HealthReport);
