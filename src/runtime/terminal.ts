import { join, resolve } from "node:path";
import { ConsoleDrain } from "../drivers/input/console-drain.js";
import { ConsoleInput } from "../drivers/input/console-input.js";
import type { InputEvent, InputSource } from "../drivers/input/input-source.js";
import { HidInput } from "../drivers/keypad/hid-input.js";
import { DevicePrinter } from "../drivers/printer/device-printer.js";
import { FilePrinter } from "../drivers/printer/file-printer.js";
import type { PrinterStatus, ReceiptPrinter } from "../drivers/printer/printer.js";
import { TcpPrinter } from "../drivers/printer/tcp-printer.js";
import { SerialScanner } from "../drivers/scanner/serial-scanner.js";
import { renderScreen } from "../ui-tty/screens/render.js";
import { TtyWriter, wantsColor } from "../ui-tty/tty-writer.js";
import { carryTrustedTime, clockIsSynchronized } from "./clock/clock-sync.js";
import type { Config } from "./config/schema.js";
import { printDemoBanner, waitForEnter } from "./demo/demo-banner.js";
import type { DemoSetup } from "./demo/demo-setup.js";
import type { FlowEffects, PrintJob } from "./flow/effects.js";
import type { PrinterHealth } from "./flow/events.js";
import { RedemptionFlow } from "./flow/flow.js";
import { isPhysicalKey, resolveKeymap } from "./flow/keymap.js";
import { createLogger, type Logger } from "./log.js";
import { paperColumns, receiptForJob } from "./receipts/receipt-for-job.js";
import { renderReceipt } from "./receipts/render-receipt.js";
import { SystemdNotifier } from "./service/systemd-notify.js";
import type { CouponStore } from "./store/coupon-store.js";
import { openStoreFromConfig } from "./store/store-from-config.js";

export interface TerminalIo {
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** Whether the clock is NTP-synchronised; the default asks systemd-timesyncd. */
  clockSynchronized?: () => boolean;
}

export interface TerminalOptions {
  io: TerminalIo;
  demo?: DemoSetup;
  /** Defaults to the process's own terminal. */
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
}

const TICK_MS = 250;
const HEALTH_MS = 5_000;
const REFRESH_MS = 60_000;
/** How often a synchronised clock's time is saved as trusted (a durable write each time). */
const TRUST_MS = 10 * 60_000;

/**
 * The composition root: opens the store, the printer, the display and the input, and wires them
 * to the redemption flow. Parts talk through the flow's events and effects only. Resolves with
 * the exit code when the terminal is stopped (Ctrl-C, SIGTERM).
 */
export async function runTerminal(config: Config, opts: TerminalOptions): Promise<number> {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const now = opts.io.now;
  // In the demo the screen is this very terminal, so logs go to a file instead of stderr.
  const log = createLogger(config.log.level, opts.demo ? join(opts.demo.dir, "quan.log") : 2);
  const synchronized = opts.io.clockSynchronized ?? (() => clockIsSynchronized());
  const store = openStoreFromConfig(config, log.child({ part: "store" }), "write", synchronized);
  try {
    if (opts.demo) {
      store.importList(opts.demo.signedList, now());
      printDemoBanner(output, opts.demo, config);
      await waitForEnter(input);
    }
    return await runFlow(config, store, log, input, output, now, opts.io.env);
  } finally {
    store.close();
  }
}

async function runFlow(
  config: Config,
  store: CouponStore,
  log: Logger,
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
  now: () => number,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const printer = openPrinter(config);
  const printLog = log.child({ part: "printer" });
  const displayLog = log.child({ part: "display" });
  const writer = new TtyWriter(output, {
    color: wantsColor(config.display.color),
    onError: (err) => displayLog.error({ err }, "display write failed; repainting"),
  });
  const effects: FlowEffects = {
    async print(job: PrintJob) {
      try {
        if (!printer || config.printer.kind === "none")
          throw new Error("no printer configured (printer.kind is none)");
        const { blocks, label } = receiptForJob(job, store, {
          storeName: config.terminal.storeName,
          terminal: config.terminal.id,
          locale: config.locale,
          paperWidth: config.printer.paperWidth,
        });
        const { bytes, text } = renderReceipt(blocks, {
          width: paperColumns(config.printer.paperWidth),
          qr: config.printer.qr,
        });
        await printer.print(bytes, { text, label });
        printLog.info({ job: job.kind, label }, "printed");
      } catch (err) {
        // The flow shows it on screen; the log keeps it for the technician.
        printLog.error({ err, job: job.kind }, "print failed");
        throw err;
      }
    },
    bell: () => writer.bell(),
  };
  const keymap = resolveKeymap(config.flow.keymap);
  const flow = new RedemptionFlow(
    {
      ledger: store,
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
  const paint = () =>
    writer.paint(renderScreen(flow.view, { ...writer.size(), locale: config.locale, keymap }));
  flow.onChange(paint);
  writer.onResized(paint);
  paint();

  const flowLog = log.child({ part: "flow" });
  // One failing part must not take the terminal down: report it and carry on.
  const handle = (event: Parameters<RedemptionFlow["handle"]>[0]) => {
    try {
      flow.handle(event, now());
    } catch (err) {
      flowLog.error({ err, event: event.type }, "flow failed to handle an event");
    }
  };

  return new Promise<number>((resolve) => {
    let stopped = false;
    const sources = inputSources(config, input, log, () => stop(0));
    let lastTickAt = Date.now();
    const clockLog = log.child({ part: "clock" });
    const timers = [
      setInterval(() => {
        lastTickAt = Date.now();
        handle({ type: "tick" });
      }, TICK_MS),
      setInterval(() => void reportHealth(), HEALTH_MS),
      // Kernel messages and stray output can scribble over tty1: repaint everything now and then.
      setInterval(() => {
        writer.invalidate();
        paint();
      }, REFRESH_MS),
      setInterval(() => {
        if (carryTrustedTime(store, now(), store.clockSynchronized()))
          clockLog.debug("trusted time carried forward");
      }, TRUST_MS),
    ];
    const notifier = new SystemdNotifier(env, log.child({ part: "systemd" }));
    notifier.ready();
    // Healthy: the event loop runs (ticks arrive) and a redemption could be committed right now.
    notifier.startWatchdog(() => Date.now() - lastTickAt < 10 * TICK_MS && store.canCommit());
    const reportHealth = async () => {
      handle({
        type: "health",
        printer: printer ? printerHealth(await printer.status()) : "offline",
        network: "disabled",
        unsent: null,
      });
    };
    void reportHealth();
    for (const source of sources) {
      source.start((event: InputEvent) => {
        if (event.type === "scan") handle({ type: "scan", text: event.text });
        else if (event.type === "typing") handle({ type: "typing", text: event.text });
        else if (isPhysicalKey(event.key)) handle({ type: "key", key: event.key });
      });
    }
    const onSignal = () => stop(0);
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
    function stop(code: number) {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      notifier.stopping();
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      for (const source of sources) source.stop();
      writer.close();
      log.info("terminal stopped");
      void printer?.close().finally(() => resolve(code));
      if (!printer) resolve(code);
    }
  });
}

/** The console keyboard (keypad and keyboard-wedge scanners type into it) and a serial scanner. */
function inputSources(
  config: Config,
  input: NodeJS.ReadStream,
  log: Logger,
  onInterrupt: () => void,
): InputSource[] {
  const sources: InputSource[] = [];
  if (config.input.kind === "stdin")
    sources.push(new ConsoleInput(input, onInterrupt, log.child({ part: "console" })));
  else if (input.isTTY) sources.push(new ConsoleDrain(input));
  if (config.keypad.kind === "hid") {
    sources.push(
      new HidInput({ path: config.keypad.path, role: "keypad", log: log.child({ part: "keypad" }) }),
    );
  }
  if (config.scanner.kind === "hid") {
    sources.push(
      new HidInput({ path: config.scanner.path, role: "scanner", log: log.child({ part: "scanner" }) }),
    );
  }
  if (config.scanner.kind === "serial") {
    sources.push(
      new SerialScanner({
        path: config.scanner.path,
        baudRate: config.scanner.baudRate,
        log: log.child({ part: "scanner" }),
      }),
    );
  }
  return sources;
}

function openPrinter(config: Config): ReceiptPrinter | null {
  if (config.printer.kind === "none") return null;
  if (config.printer.kind === "device") return new DevicePrinter({ path: config.printer.path });
  if (config.printer.kind === "tcp")
    return new TcpPrinter({ host: config.printer.host, port: config.printer.port });
  return new FilePrinter({ dir: resolve(config.dataDir, config.printer.dir) });
}

function printerHealth(status: PrinterStatus): PrinterHealth {
  if (!status.online) return "offline";
  if (status.paper === "out") return "paper_out";
  if (status.paper === "low") return "paper_low";
  return status.paper === "ok" ? "ok" : "unknown";
}
