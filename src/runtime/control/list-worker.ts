import { parentPort, workerData } from "node:worker_threads";
import { transferablesOf } from "./code-columns.js";
import { type PrepareTask, prepareList } from "./list-prepare.js";

/** Worker thread entry: prepares one list (see list-prepare.ts) and posts the outcome back. */
const outcome = prepareList(workerData as PrepareTask);
parentPort?.postMessage(outcome, outcome.kind === "prepared" ? transferablesOf(outcome.columns) : []);
