import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pty from "@lydell/node-pty";

/**
 * Whole processes measured as a user meets them: from spawn (Node start and module loading
 * included) to what the user sees, and their memory as the kernel counts it (/proc), with no
 * forced garbage collection.
 */

/** Processes this bench started and has not yet seen exit: ended (by pid) if the bench is cut short. */
const live = new Set<number>();

export function killLiveChildren(): void {
  for (const pid of live) {
    try {
      process.kill(pid, "SIGKILL");
    } catch (err) {
      // ESRCH: it has exited already, nothing to clean up
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  }
  live.clear();
}

/** A field of /proc/PID/status in MB (VmRSS: resident now; VmHWM: the peak so far). */
export function procStatusMb(pid: number | "self", field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** /proc/PID/io: wchar is what write() was handed, write_bytes what the kernel sent to the device. */
export function procIo(pid: number | "self"): { wchar: number; writeBytes: number } {
  const io = readFileSync(`/proc/${pid}/io`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, "m").exec(io)?.[1] ?? Number.NaN);
  return { wchar: field("wchar"), writeBytes: field("write_bytes") };
}

export interface Settled {
  /** From spawn to the first output containing the marker (the first screen), in ms. */
  readyMs: number;
  /** Resident memory after sitting idle, and its peak, in MB. */
  rssMb: number;
  peakMb: number;
}

export interface PtyRun {
  args: string[];
  cwd: string;
  /** Text that shows the process is up: the first screen's store name, a child's READY. */
  marker: string;
  idleMs: number;
  timeoutMs?: number;
  /** Called while the process sits idle, e.g. to try something against the running daemon. */
  whileIdle?: (pid: number) => Promise<void>;
}

/** Runs `node ARGS` in an 80x24 pseudo-terminal (the daemon paints only on a TTY) and measures it. */
export function settleInPty(run: PtyRun): Promise<Settled> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = pty.spawn(process.execPath, run.args, {
      name: "xterm",
      cols: 80,
      rows: 24,
      cwd: run.cwd,
      env: { ...process.env, NOTIFY_SOCKET: "" } as Record<string, string>,
    });
    live.add(child.pid);
    let output = "";
    let readyMs: number | null = null;
    let settled: Settled | null = null;
    let failure: Error | null = null;
    const timeout = setTimeout(() => {
      failure = new Error(
        `no "${run.marker}" within ${run.timeoutMs ?? 120_000} ms; output: ${tail(output)}`,
      );
      child.kill("SIGKILL");
    }, run.timeoutMs ?? 120_000);
    const data = child.onData((chunk) => {
      if (readyMs !== null) return;
      output += chunk;
      if (!output.includes(run.marker)) return;
      readyMs = performance.now() - started;
      void sitIdle(readyMs);
    });
    const sitIdle = async (ready: number) => {
      try {
        await sleep(run.idleMs);
        if (run.whileIdle) await run.whileIdle(child.pid);
        settled = {
          readyMs: ready,
          rssMb: procStatusMb(child.pid, "VmRSS"),
          peakMb: procStatusMb(child.pid, "VmHWM"),
        };
      } catch (err) {
        failure = err as Error;
      }
      child.kill("SIGTERM");
    };
    child.onExit(({ exitCode, signal }) => {
      clearTimeout(timeout);
      data.dispose();
      live.delete(child.pid);
      if (settled) resolve(settled);
      else
        reject(
          failure ??
            new Error(
              `node ${run.args.join(" ")} exited (${exitCode}, signal ${signal}) before settling: ${tail(output)}`,
            ),
        );
    });
  });
}

export interface OneShot {
  ms: number;
  peakMb: number;
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node ARGS` to its end: wall time from spawn to exit, peak RSS from GNU time when the
 * machine has it, else from polling /proc (which can miss a last-moment peak).
 */
export function runToEnd(args: string[], cwd: string): Promise<OneShot> {
  const gnuTime = existsSync("/usr/bin/time");
  const scratch = mkdtempSync(join(tmpdir(), "quan-bench-time-"));
  const timeFile = join(scratch, "maxrss");
  const [file, argv] = gnuTime
    ? ["/usr/bin/time", ["-f", "%M", "-o", timeFile, process.execPath, ...args]]
    : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    if (child.pid !== undefined) live.add(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let polledMb = 0;
    const poll = gnuTime
      ? null
      : setInterval(() => {
          try {
            polledMb = Math.max(polledMb, procStatusMb(child.pid as number, "VmHWM"));
          } catch (err) {
            // ENOENT/ESRCH: the process has just exited, the last poll stands
            const code = (err as NodeJS.ErrnoException).code;
            if (code !== "ENOENT" && code !== "ESRCH") throw err;
          }
        }, 5);
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (poll) clearInterval(poll);
      if (child.pid !== undefined) live.delete(child.pid);
      try {
        const peakMb = gnuTime
          ? Number(readFileSync(timeFile, "utf8").trim().split("\n").pop()) / 1024
          : polledMb;
        resolve({ ms, peakMb, code: code ?? -1, stdout, stderr });
      } catch (err) {
        reject(err);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const tail = (text: string) => JSON.stringify(text.slice(-600));
