import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { SimulatedInput } from "../../src/drivers/input/simulated-input.js";
import { SimulatedPrinter } from "../../src/drivers/printer/simulated-printer.js";
import { signDocument } from "../../src/protocol/envelope/index.js";
import type { TerminalEvents } from "../../src/runtime/bus/terminal-events.js";
import { demoList } from "../../src/runtime/demo/demo-list.js";
import { prepareDemo } from "../../src/runtime/demo/demo-setup.js";
import { createLogger } from "../../src/runtime/log.js";
import type { Part } from "../../src/runtime/parts/part.js";
import { Terminal, type TerminalOptions } from "../../src/runtime/terminal.js";
import { quan } from "../helpers/cli-harness.js";
import { decodeEscPos } from "../helpers/escpos-decode.js";
import { journalRecords } from "../helpers/journal-files.js";
import { XtermTty } from "../ui-tty/xterm-tty.js";

/**
 * The composition root in-process: the whole terminal assembled with simulated devices (pushed
 * input events, the in-memory printer, a terminal emulator as the screen, signals from an emitter) on
 * a temp data directory where the demo list is signed and put in force.
 */
const NOW = Date.parse("2026-03-04T04:00:00Z");
let dir: string | null = null;
let running: Terminal | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));

async function assemble(extra: Partial<TerminalOptions> = {}) {
  dir = mkdtempSync(join(tmpdir(), "quan-root-"));
  const demo = prepareDemo(dir, NOW, { locale: "en" });
  const console = new PassThrough();
  const tty = new XtermTty(60, 20);
  const input = new SimulatedInput();
  const printer = new SimulatedPrinter();
  const signals = new EventEmitter();
  const logs: { msg: string; part?: string; owner?: string; event?: string }[] = [];
  const log = createLogger(
    "info",
    new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).trim().split("\n")) logs.push(JSON.parse(line));
        done();
      },
    }),
  );
  const terminal = Terminal.open(demo.config, {
    io: { env: {}, now: () => NOW, clockSynchronized: () => false },
    demo,
    input: console as unknown as NodeJS.ReadStream,
    output: tty as unknown as NodeJS.WriteStream,
    devices: {
      printer,
      inputs: [input],
      signals: signals as never,
    },
    log,
    ...extra,
  });
  running = terminal;
  const seen: { event: keyof TerminalEvents; payload: unknown }[] = [];
  for (const event of [
    "redemption.committed",
    "part.started",
    "part.stopped",
    "part.failed",
    "health.changed",
    "list.applied",
  ] as const)
    terminal.bus.on("test", event, (payload) => {
      seen.push({ event, payload });
    });
  const started = terminal.start();
  console.write("\r"); // past the demo banner
  await started;
  await settle();
  const screen = async () => {
    await new Promise<void>((r) => tty.term.write("", r));
    return tty.screen().join("\n");
  };
  const journal = () => journalRecords(demo.config.dataDir);
  const sale = async () => {
    input.keys("50", "Enter");
    input.scan("66000001");
    input.keys("Enter");
    await settle();
  };
  return { terminal, input, printer, signals, screen, journal, seen, logs, sale, demo };
}

describe("the composition root, in-process with simulated devices", () => {
  it("a sale end to end: approved on screen, in the journal, on paper, announced on the bus", async () => {
    const t = await assemble();
    await t.sale();
    expect(await t.screen()).toContain("APPROVED");
    const records = t.journal();
    expect(records).toHaveLength(1);
    const committed = t.seen.filter((s) => s.event === "redemption.committed");
    const { seq: _seq, prev: _prev, hash: _hash, ...onDisk } = records[0] ?? ({} as never);
    expect(committed).toEqual([{ event: "redemption.committed", payload: { entry: onDisk } }]);
    expect(t.printer.jobs).toHaveLength(1);
    const slip = decodeEscPos(t.printer.jobs[0]?.bytes ?? new Uint8Array()).lines.join("\n");
    expect(slip).toContain("****0001");
    expect(slip).toMatch(/To pay +￥40\.00/);
    expect(slip).toContain(onDisk.id);
    expect(t.terminal.partStates().every((p) => p.state === "running")).toBe(true);
  });

  it("stops every part in the reverse of the order they started, then leaves nothing listening", async () => {
    const t = await assemble();
    const startedOrder = t.seen
      .filter((s) => s.event === "part.started")
      .map((s) => (s.payload as { part: string }).part);
    expect(startedOrder).toEqual([
      "health",
      "demo",
      "display",
      "printing",
      "flow",
      "clock",
      "clock-trust",
      "control",
      "inputs",
      "signals",
      "watchdog",
    ]);
    await t.terminal.stop(0);
    expect(await t.terminal.exited).toBe(0);
    const stoppedOrder = t.seen
      .filter((s) => s.event === "part.stopped")
      .map((s) => (s.payload as { part: string }).part);
    expect(stoppedOrder).toEqual([...startedOrder].reverse());
    expect(t.terminal.partStates().every((p) => p.state === "stopped")).toBe(true);
    expect(t.input.started).toBe(false);
    // Only this test's own listeners are left: every part's were removed with it.
    expect(t.terminal.bus.listenerCount()).toBe(t.terminal.bus.listenerCount("test"));
    await expect(t.printer.print(new Uint8Array([1]))).rejects.toThrow(/closed/);
  });

  it("SIGTERM (systemd stopping the service) stops it cleanly with exit code 0", async () => {
    const t = await assemble();
    t.signals.emit("SIGTERM");
    expect(await t.terminal.exited).toBe(0);
    expect(t.terminal.partStates().every((p) => p.state === "stopped")).toBe(true);
    expect(t.signals.listenerCount("SIGTERM") + t.signals.listenerCount("SIGINT")).toBe(0);
  });

  it("a part that throws in start() is reported in health; the others run and a sale still goes through", async () => {
    const broken: Part = {
      name: "broken",
      start() {
        throw new Error("no such device");
      },
    };
    const t = await assemble({ extraParts: [broken] });
    expect(t.terminal.partStates().find((p) => p.name === "broken")?.state).toBe("failed");
    expect(t.terminal.partStates().filter((p) => p.state === "running")).toHaveLength(11);
    const health = t.seen.filter((s) => s.event === "health.changed").at(-1)?.payload;
    expect(health).toMatchObject({ faults: ["broken"] });
    expect(t.logs.some((l) => l.part === "broken" && /failed to start/.test(l.msg))).toBe(true);
    expect(await t.screen()).toMatch(/Not working +broken/);
    await t.sale();
    expect(t.journal()).toHaveLength(1);
    expect(await t.screen()).toContain("APPROVED");
  });

  it("the network and unsent count come from the part that reports them: off without one, shown with one", async () => {
    const plain = await assemble();
    expect(await plain.screen()).toMatch(/Network +off/);
    await plain.terminal.stop();
    rmSync(dir ?? "", { recursive: true, force: true });
    // The merchant link of the next issue is one more part; this one stands in for it.
    const link: Part = {
      name: "link",
      start({ bus }) {
        bus.on("redemption.committed", () => bus.emit("health.report", { network: "online", unsent: 1 }));
        bus.emit("health.report", { network: "offline", unsent: 0 });
        return { stop() {} };
      },
    };
    const t = await assemble({ extraParts: [link] });
    expect(await t.screen()).toMatch(/Network +offline/);
    await t.sale();
    t.input.keys("Escape");
    await settle();
    const screen = await t.screen();
    expect(screen).toMatch(/Network +online/);
    expect(screen).toMatch(/Unsent +1/);
  });

  it("a listener that throws (or rejects) is logged; the commit, the screen and the next sale carry on", async () => {
    const noisy: Part = {
      name: "noisy",
      start({ bus }) {
        bus.on("redemption.committed", () => {
          throw new Error("listener bug");
        });
        bus.on("redemption.committed", async () => {
          throw new Error("async listener bug");
        });
        return { stop() {} };
      },
    };
    const t = await assemble({ extraParts: [noisy] });
    await t.sale();
    expect(await t.screen()).toContain("APPROVED");
    expect(t.printer.jobs).toHaveLength(1);
    expect(t.seen.filter((s) => s.event === "redemption.committed")).toHaveLength(1);
    const failures = t.logs.filter((l) => l.owner === "noisy" && l.event === "redemption.committed");
    expect(failures).toHaveLength(2);
    t.input.keys("Escape");
    t.input.keys("20", "Enter");
    t.input.scan("88000001");
    t.input.keys("Enter");
    await settle();
    expect(t.journal()).toHaveLength(2);
    expect(t.terminal.partStates().every((p) => p.state === "running")).toBe(true);
  });

  it("takes `quan coupons import` while it runs: the list is applied live and announced, the next sale uses it", async () => {
    const t = await assemble();
    const root = t.demo.dir;
    const configFile = join(root, "config.json");
    writeFileSync(configFile, JSON.stringify(t.demo.config));
    const next = JSON.stringify(
      signDocument(JSON.stringify(demoList(NOW, 99)), readFileSync(join(root, "demo-merchant.key"), "utf8")),
    );
    const listFile = join(root, "v99.json");
    writeFileSync(listFile, next);
    const run = await quan(["coupons", "import", listFile, "--config", configFile], {}, NOW);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(t.seen.filter((s) => s.event === "list.applied").at(-1)?.payload).toEqual(
      expect.objectContaining({ version: 99 }),
    );
    await t.sale();
    expect(await t.screen()).toContain("APPROVED");
    expect((t.journal().at(-1) as { listVersion?: number }).listVersion).toBe(99);
  });

  it("an X report printed while the merchant has flagged a conflict on this till says so", async () => {
    const t = await assemble();
    await t.sale();
    t.terminal.bus.emit("health.report", { conflicts: 1 });
    await settle();
    const finished = new Promise<unknown>((resolve) => t.terminal.bus.on("test", "print.finished", resolve));
    t.terminal.bus.emit("print.requested", {
      id: 901,
      job: { kind: "report", report: "X", from: NOW - 3_600_000, to: NOW + 1 },
    });
    expect(await finished).toMatchObject({ id: 901, ok: true });
    const slip = decodeEscPos(t.printer.jobs.at(-1)?.bytes ?? new Uint8Array()).lines.join("\n");
    expect(slip).toMatch(/1 conflict: check with the\s+merchant/);
  });
});
