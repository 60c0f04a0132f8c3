import type { TerminalHealth } from "../bus/terminal-events.js";
import type { HealthReport } from "../flow/events.js";
import type { Part } from "./part.js";

/**
 * Health: gathers what the parts report (the printer its status, the link its network and unsent
 * count, the composition root which parts failed) and announces the whole picture when it changes.
 * Without a link part nothing reports the network: it stays "disabled", unsent unknown (null).
 */
export const healthPart: Part = {
  name: "health",
  start({ bus }) {
    let health: TerminalHealth = {
      printer: "unknown",
      network: "disabled",
      unsent: null,
      conflicts: 0,
      faults: [],
    };
    const update = (report: HealthReport) => {
      const next: TerminalHealth = { ...health, ...definedFields(report) };
      if (sameHealth(next, health)) return;
      health = next;
      bus.emit("health.changed", health);
    };
    bus.on("health.report", update);
    bus.on("part.failed", ({ part }) => {
      if (!health.faults.includes(part)) update({ faults: [...health.faults, part] });
    });
    bus.emit("health.changed", health);
    return { stop() {} };
  },
};

function definedFields(report: HealthReport): HealthReport {
  return Object.fromEntries(Object.entries(report).filter(([, v]) => v !== undefined));
}

function sameHealth(a: TerminalHealth, b: TerminalHealth): boolean {
  return (
    a.printer === b.printer &&
    a.network === b.network &&
    a.unsent === b.unsent &&
    a.conflicts === b.conflicts &&
    a.faults.join("\n") === b.faults.join("\n")
  );
}
