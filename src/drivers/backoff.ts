/**
 * Retries an attempt with doubling delays, for devices that vanish and come back (an unplugged
 * scanner or keypad). The delay goes back to the first one after a success.
 */
export class Backoff {
  private timer: NodeJS.Timeout | null = null;
  private delay: number;
  private stopped = false;

  constructor(
    private readonly attempt: () => void,
    private readonly limits: { first: number; max: number } = { first: 500, max: 30_000 },
  ) {
    this.delay = limits.first;
  }

  /** Next attempt after the current delay; a no-op when one is already scheduled or stopped. */
  schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempt();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.limits.max);
  }

  get nextDelayMs(): number {
    return this.delay;
  }

  succeeded(): void {
    this.delay = this.limits.first;
  }

  start(): void {
    this.stopped = false;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
