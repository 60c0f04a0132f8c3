import { parentPort, workerData } from "node:worker_threads";
import { transferOf } from "../store/list-cache/list-cache.js";
import { type PrepareTask, prepareList } from "./list-prepare.js";

/**
 * Worker thread entry: prepares one list (see list-prepare.ts) and posts the outcome back, the
 * built table moved to the main thread rather than copied.
 */
const outcome = prepareList(workerData as PrepareTask);
parentPort?.postMessage(outcome, outcome.kind === "prepared" ? transferOf(outcome.prepared) : []);
