import { ControlServer } from "../control/control-server.js";
import { controlSocketPath } from "../control/protocol.js";
import type { Part } from "./part.js";

/**
 * The control socket: other processes on the board (`quan coupons import`) hand the running
 * terminal work instead of being refused because it owns the data directory. A list arriving this
 * way is verified in a worker thread and swapped in between scans; the store announces it.
 */
export const controlPart: Part = {
  name: "control",
  async start({ config, ledger, log, now }) {
    const server = new ControlServer({
      socketPath: controlSocketPath(config.dataDir),
      store: ledger,
      merchant: config.merchant,
      log,
      now,
    });
    await server.start();
    return { stop: () => server.stop() };
  },
};
