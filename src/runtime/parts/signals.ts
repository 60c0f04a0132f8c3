import type { Part } from "./part.js";

/** SIGTERM (systemd stopping the service) and SIGINT ask the terminal to stop cleanly. */
export const signalsPart: Part = {
  name: "signals",
  start({ bus, devices }) {
    const onTerm = () => bus.emit("stop.requested", { code: 0, reason: "SIGTERM" });
    const onInt = () => bus.emit("stop.requested", { code: 0, reason: "SIGINT" });
    devices.signals.once("SIGTERM", onTerm);
    devices.signals.once("SIGINT", onInt);
    return {
      stop() {
        devices.signals.off("SIGTERM", onTerm);
        devices.signals.off("SIGINT", onInt);
      },
    };
  },
};
