import type { InputEvent, InputSource } from "./input-source.js";

/** A keypad and scanner in memory, for tests: events pushed in reach the terminal as a device's would. */
export class SimulatedInput implements InputSource {
  private listener: ((event: InputEvent) => void) | null = null;

  get started(): boolean {
    return this.listener !== null;
  }

  start(onInput: (event: InputEvent) => void): void {
    this.listener = onInput;
  }

  stop(): void {
    this.listener = null;
  }

  /** Delivers `event`; throws when not started, as nothing would hear it. */
  push(event: InputEvent): void {
    if (!this.listener) throw new Error("the simulated input is not started");
    this.listener(event);
  }

  /** Each character a key ("Enter" and other names as one key). */
  keys(...keys: string[]): void {
    for (const k of keys)
      for (const key of k.length > 1 && !/^[0-9.]+$/.test(k) ? [k] : [...k]) this.push({ type: "key", key });
  }

  scan(text: string): void {
    this.push({ type: "scan", text });
  }
}
