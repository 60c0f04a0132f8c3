import type { InputSource } from "./input-source.js";

/**
 * When keypad and scanner are read through hidraw, the kernel still types their keys into the
 * console the terminal owns (tty1). Reading and discarding them keeps them from piling up in the
 * tty buffer or reaching anything else.
 */
export class ConsoleDrain implements InputSource {
  private readonly discard = () => undefined;

  constructor(private readonly stream: NodeJS.ReadStream) {}

  start(): void {
    if (this.stream.isTTY) this.stream.setRawMode(true);
    this.stream.on("data", this.discard);
    this.stream.resume();
  }

  stop(): void {
    this.stream.off("data", this.discard);
    if (this.stream.isTTY) this.stream.setRawMode(false);
    this.stream.pause();
  }
}
