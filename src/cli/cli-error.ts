/** An error the CLI reports as one clear message on stderr, with an exit code. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** Whether the clock is NTP-synchronised; the default asks systemd-timesyncd. */
  clockSynchronized?: () => boolean;
  /** Once every write has settled: the first error writing stdout (other than a reader gone), or null. */
  outputFailure?: () => Promise<Error | null>;
  /** All of stdin (a secret such as the manager PIN, kept out of the command line). */
  stdin?: () => Promise<string>;
}

export const EXIT = { ok: 0, error: 1, usage: 2, rejected: 3, busy: 4 } as const;
