import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Pinned, PreparedCompaction } from "../store/list-cache/list-cache.js";
import type { ListWorkerTask, PreparedOutcome, PrepareTask } from "./list-prepare.js";

export class WorkerTimeoutError extends Error {
  override name = "WorkerTimeoutError";
}

/**
 * Runs prepareList in a worker thread, so that verifying and parsing a big list never holds up
 * scans. Rejects when the worker fails or takes longer than `timeoutMs` (it is then terminated),
 * or when `signal` aborts (the daemon is stopping).
 */
export function prepareListInWorker(
  task: PrepareTask,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<PreparedOutcome> {
  // A request line moves to the worker rather than being copied (each block is its own buffer).
  const transferList =
    "blocks" in task.request
      ? task.request.blocks.map((b) => b.buffer as ArrayBuffer)
      : "envelope" in task.request
        ? [task.request.envelope.buffer as ArrayBuffer]
        : [];
  return runListWorker<PreparedOutcome>(task, transferList, timeoutMs, signal, "verifying it");
}

/** Prepares a compaction of the list cache in `target.dir` in a worker thread (null: nothing to fold). */
export function compactListInWorker(
  target: { dir: string; pinned: Pinned },
  timeoutMs: number,
  signal: AbortSignal,
): Promise<PreparedCompaction | null> {
  return runListWorker<PreparedCompaction | null>(
    { compact: target },
    [],
    timeoutMs,
    signal,
    "compacting it",
  );
}

function runListWorker<T>(
  task: ListWorkerTask,
  transferList: ArrayBuffer[],
  timeoutMs: number,
  signal: AbortSignal,
  what: string,
): Promise<T> {
  const worker = new Worker(workerFile(), { workerData: task, transferList });
  return new Promise<T>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      worker.removeAllListeners();
      // An exit error after the answer changes nothing: the worker has done its one job.
      worker.on("error", () => undefined);
      void worker.terminate();
      settle();
    };
    const timer = setTimeout(
      () => finish(() => reject(new WorkerTimeoutError(`${what} took longer than ${timeoutMs / 1000} s`))),
      timeoutMs,
    );
    const onAbort = () => finish(() => reject(new Error("the terminal is stopping")));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort);
    worker.once("message", (outcome: T) => finish(() => resolve(outcome)));
    worker.once("error", (err) => finish(() => reject(err)));
    worker.once("exit", (code) =>
      finish(() => reject(new Error(`the list worker exited (code ${code}) without an answer`))),
    );
  });
}

/**
 * The worker's compiled file. Worker threads run JavaScript only, so when this module runs from
 * its TypeScript source (the tests), the worker comes from the build (`npx tsc -p
 * tsconfig.build.json`, which the test set-up runs).
 */
function workerFile(): URL {
  const here = import.meta.url;
  const url = here.endsWith(".ts")
    ? new URL(here.replace(/\/src\/runtime\/control\/[^/]+\.ts$/, "/dist/src/runtime/control/list-worker.js"))
    : new URL("./list-worker.js", here);
  if (!existsSync(fileURLToPath(url)))
    throw new Error(`${fileURLToPath(url)} is missing: build quan first (npx tsc -p tsconfig.build.json)`);
  return url;
}
