import { parentPort, workerData } from "node:worker_threads";
import { silentLogger } from "../log.js";
import { prepareCompaction, transferOf } from "../store/list-cache/list-cache.js";
import { type ListWorkerTask, prepareList } from "./list-prepare.js";

/**
 * Worker thread entry: prepares one list (see list-prepare.ts) or one compaction of the list in
 * force, and posts the outcome back, the built table moved to the main thread rather than copied.
 */
const task = workerData as ListWorkerTask;
if ("compact" in task) {
  // The main thread opened the same cache and logged what it found; nothing new to say here.
  const prepared = prepareCompaction(task.compact.dir, task.compact.pinned, silentLogger());
  parentPort?.postMessage(prepared, prepared ? [prepared.table.buffer as ArrayBuffer] : []);
} else {
  const outcome = prepareList(task);
  parentPort?.postMessage(outcome, outcome.kind === "prepared" ? transferOf(outcome.prepared) : []);
}
