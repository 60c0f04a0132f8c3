import { type IPty, spawn } from "@lydell/node-pty";
import xterm from "@xterm/headless";

const { Terminal } = xterm;

/** What a key sends down the line. */
export const KEY = { enter: "\r", ctrlC: "\x03" } as const;

export interface PtyTerminalOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
}

/**
 * A program run as a person runs it: in a pseudo-terminal of a fixed size (node-pty), its output
 * drawn by a real terminal emulator (xterm headless), so the test reads the screen a person sees
 * and types on the keyboard.
 */
export class PtyTerminal {
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  private readonly term: IPty;
  private readonly screenEmulator: InstanceType<typeof Terminal>;
  private running = true;

  constructor(file: string, args: string[], opts: PtyTerminalOptions) {
    this.screenEmulator = new Terminal({ cols: opts.cols, rows: opts.rows, allowProposedApi: true });
    this.term = spawn(file, args, {
      name: "xterm-256color",
      cols: opts.cols,
      rows: opts.rows,
      cwd: opts.cwd,
      env: opts.env as Record<string, string>,
    });
    this.term.onData((data) => this.screenEmulator.write(data));
    this.exited = new Promise((resolve) =>
      this.term.onExit((e) => {
        this.running = false;
        resolve(e);
      }),
    );
  }

  /** The visible screen, one line per row, trailing spaces dropped. */
  async screen(): Promise<string> {
    await new Promise<void>((resolve) => this.screenEmulator.write("", resolve));
    const buffer = this.screenEmulator.buffer.active;
    const rows: string[] = [];
    for (let y = 0; y < this.screenEmulator.rows; y++)
      rows.push(buffer.getLine(buffer.baseY + y)?.translateToString(true) ?? "");
    return rows.join("\n");
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      last = await this.screen();
      if (pattern.test(last)) return last;
      if (!this.running) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const why = this.running ? `within ${timeoutMs} ms` : "before the program exited";
    throw new Error(`screen never showed ${pattern} ${why}; it shows:\n${last}`);
  }

  /** Bytes arriving at once, as a scanner or a paste sends them. */
  send(text: string): void {
    this.term.write(text);
  }

  /** A person types one key at a time. */
  async type(...keys: string[]): Promise<void> {
    for (const key of keys) {
      this.send(key);
      await new Promise((r) => setTimeout(r, 40));
    }
  }

  /** Ends the program (and everything in its terminal) if it is still running. */
  async kill(): Promise<void> {
    if (!this.running) return;
    // The program leads its own session and process group in the pty: end the whole group.
    try {
      process.kill(-this.term.pid, "SIGKILL");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
    await this.exited;
  }
}
