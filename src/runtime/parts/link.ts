import type { Health } from "../../protocol/mqtt/index.js";
import type { PrinterHealth } from "../flow/events.js";
import { type LinkReceivers, TerminalLink } from "../link/terminal-link.js";
import { packageVersion } from "../package-version.js";
import type { Part, PartContext, RunningPart } from "./part.js";

/**
 * The merchant link as a part: started when the config has a `link` section. It sends every
 * committed record (the journal is its outbox), reports the network and the unsent count to the
 * health part (the idle screen shows them), and stops with a clean "offline".
 */
export function linkPart(more: (ctx: PartContext) => LinkReceivers = () => ({})): Part {
  return {
    name: "link",
    async start(ctx: PartContext): Promise<RunningPart> {
      const { config } = ctx;
      const linkConfig = config.link;
      if (!linkConfig) throw new Error("no link configured");
      let printer: PrinterHealth = "unknown";
      const link = new TerminalLink({
        config: { ...config, link: linkConfig },
        dataDir: config.dataDir,
        ledger: ctx.ledger,
        log: ctx.log,
        now: ctx.now,
        software: packageVersion(),
        printer: () => wirePrinter(printer, config.printer.kind),
        clockSynchronized: () => ctx.devices.clockSynchronized(),
        receivers: {
          accepted: ({ entry }) => {
            const outcome = ctx.ledger.applyPeerEntry(entry);
            if (outcome === "unknown_target")
              ctx.log.warn({ id: entry.id }, "link: a void of a redemption this till never heard of");
          },
          ...more(ctx),
        },
        onChange: ({ online, unsent, conflicts }) =>
          ctx.bus.emit("health.report", { network: online ? "online" : "offline", unsent, conflicts }),
      });
      ctx.bus.on("redemption.committed", () => link.committed());
      ctx.bus.on("void.committed", () => link.committed());
      ctx.bus.on("health.changed", (h) => {
        printer = h.printer;
      });
      ctx.bus.emit("health.report", {
        network: "offline",
        unsent: link.outbox.unsent,
        conflicts: link.state.openConflicts(),
      });
      await link.start();
      return { stop: () => link.stop() };
    },
  };
}

function wirePrinter(printer: PrinterHealth, kind: string): Health["printer"] {
  if (kind === "none") return "none";
  return printer === "unknown" ? "offline" : printer;
}
