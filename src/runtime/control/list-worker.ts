import { parentPort, workerData } from "node:worker_threads";
import { type PrepareTask, prepareList } from "./list-prepare.js";

/** Worker thread entry: prepares one list (see list-prepare.ts) and posts the outcome back. */
parentPort?.postMessage(prepareList(workerData as PrepareTask));
