import type { Health } from "../../protocol/mqtt/index.js";
import { prepareListInWorker } from "../control/list-worker-run.js";
import type { PrinterHealth } from "../flow/events.js";
import { type LinkReceivers, TerminalLink } from "../link/terminal-link.js";
import { packageVersion } from "../package-version.js";
import type { Part, PartContext, RunningPart } from "./part.js";

const LIST_VERIFY_TIMEOUT_MS = 120_000;

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
      const stopping = new AbortController();
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
          applyList: async (kind, envelope, sha256) => {
            if (kind === "delta") {
              ctx.ledger.applyDelta(envelope, ctx.now());
              return;
            }
            // Verified and built in a worker thread: scans are answered from the old list meanwhile.
            // A buffer of its own (never a slice of Node's shared pool) moves to the worker, not a copy.
            const own =
              envelope.byteOffset === 0 && envelope.buffer.byteLength === envelope.byteLength
                ? envelope
                : new Uint8Array(envelope);
            const outcome = await prepareListInWorker(
              { request: { id: "link", envelope: own, sha256 }, target: ctx.ledger.listImportTarget() },
              LIST_VERIFY_TIMEOUT_MS,
              stopping.signal,
            );
            if (outcome.kind === "error") throw new Error(outcome.error.message);
            ctx.ledger.commitPreparedList(outcome.prepared, ctx.now());
          },
          ...more(ctx),
        },
        onChange: ({ online, unsent, conflicts }) => {
          ctx.ledger.setOnline(online, ctx.now());
          ctx.bus.emit("health.report", { network: online ? "online" : "offline", unsent, conflicts });
        },
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
      return {
        stop: () => {
          stopping.abort();
          return link.stop();
        },
      };
    },
  };
}

function wirePrinter(printer: PrinterHealth, kind: string): Health["printer"] {
  if (kind === "none") return "none";
  return printer === "unknown" ? "offline" : printer;
}
