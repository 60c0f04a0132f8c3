import { type Logger, pino } from "pino";

export type { Logger };

/**
 * One root logger: to stderr (journald under systemd), or to a file when the terminal's own screen
 * is the console (the demo). Each part takes a child: log.child({part: "store"}).
 */
export function createLogger(
  level: string,
  destination: NodeJS.WritableStream | number | string = 2,
): Logger {
  const stream =
    typeof destination === "number"
      ? pino.destination({ fd: destination, sync: true })
      : typeof destination === "string"
        ? pino.destination({ dest: destination, sync: true, mkdir: true })
        : destination;
  return pino({ level, base: { app: "quan" } }, stream);
}

/** For tests and CLI one-shots that must not print logs. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
