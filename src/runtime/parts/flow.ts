import type { FlowEffects, PrintJob } from "../flow/effects.js";
import type { FlowEvent } from "../flow/events.js";
import { RedemptionFlow } from "../flow/flow.js";
import { isPhysicalKey } from "../flow/keymap.js";
import type { Part } from "./part.js";

/**
 * The redemption flow as a part: input, ticks and health from the bus go in; each new view, the
 * buzzer and print requests go out on it. A print waits for the printing part's answer.
 */
export const flowPart: Part = {
  name: "flow",
  start({ config, bus, ledger, now }) {
    let nextPrint = 1;
    const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
    const effects: FlowEffects = {
      print(job: PrintJob) {
        if (!bus.heard("print.requested")) throw new Error("printing is not running (see the log)");
        const id = nextPrint++;
        const done = new Promise<void>((resolve, reject) => pending.set(id, { resolve, reject }));
        bus.emit("print.requested", { id, job });
        return done;
      },
      bell: () => bus.emit("bell", {}),
    };
    bus.on("print.finished", (result) => {
      const waiting = pending.get(result.id);
      if (!waiting) return;
      pending.delete(result.id);
      if (result.ok) waiting.resolve();
      else waiting.reject(new Error(result.error));
    });
    const flow = new RedemptionFlow(
      {
        ledger,
        effects,
        storeName: config.terminal.storeName,
        locale: config.locale,
        cashier: config.terminal.cashier,
        keymap: config.flow.keymap ?? {},
        inactivityMs: config.flow.inactivitySeconds * 1000,
        doubleScanMs: config.flow.doubleScanMs,
      },
      now(),
    );
    const handle = (event: FlowEvent) => flow.handle(event, now());
    const offChange = flow.onChange((view) => bus.emit("view.changed", { view }));
    bus.on("input", (event) => {
      if (event.type === "scan") handle({ type: "scan", text: event.text });
      else if (event.type === "typing") handle({ type: "typing", text: event.text });
      else if (isPhysicalKey(event.key)) handle({ type: "key", key: event.key });
    });
    bus.on("tick", () => handle({ type: "tick" }));
    bus.on("health.changed", (health) => handle({ type: "health", ...health }));
    const health = bus.last("health.changed");
    if (health) handle({ type: "health", ...health });
    bus.emit("view.changed", { view: flow.view });
    return {
      stop() {
        offChange();
        for (const waiting of pending.values()) waiting.reject(new Error("the terminal is stopping"));
        pending.clear();
      },
    };
  },
};
