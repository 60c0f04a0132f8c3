import type { LedgerPort } from "../store/ledger-port.js";
import { formatLocalDateTime } from "../time/zoned.js";
import type { Mode } from "./mode.js";
import { type Presentation, receiptView } from "./verdict-view.js";
import type { FlowView, HealthView, Notice, PrintProblem } from "./view.js";

/** What the parts report about themselves (the ledger's own health is read from it). */
export type ReportedHealth = Pick<HealthView, "printer" | "network" | "unsent" | "conflicts"> & {
  faults?: string[];
};

/** Everything a view is built from: the flow's state at `now`. */
export interface ViewInput {
  storeName: string;
  now: number;
  presentation: Presentation;
  ledger: LedgerPort;
  mode: Mode;
  health: ReportedHealth;
  notice: Notice | null;
  printProblem: PrintProblem | null;
  typing: string | null;
}

/** The flow's state as the screens read it: plain data, rebuilt only when something in it changed. */
export function buildFlowView(input: ViewInput): FlowView {
  const view: FlowView = {
    storeName: input.storeName,
    currency: input.presentation.currency,
    clock: clockText(input.now, input.presentation),
    health: healthView(input.health, input.ledger, input.now),
    screen: screenView(input),
    notice: input.notice,
    printProblem: input.printProblem,
  };
  if (input.typing !== null) view.typing = input.typing;
  return view;
}

/** The time on screen, to the minute: "2026-11-22 18:42". */
export function clockText(now: number, p: Presentation): string {
  return formatLocalDateTime(now, p.timezone).slice(0, 16);
}

export function healthView(reported: ReportedHealth, ledger: LedgerPort, now: number): HealthView {
  const status = ledger.status(now);
  const { faults, ...parts } = reported;
  return {
    ...parts,
    clockSynchronized: status.clockSynchronized,
    clockTrusted: status.clockTrusted,
    listVersion: status.listVersion,
    listAgeMinutes:
      status.listIssuedAt === null ? null : Math.max(0, Math.floor((now - status.listIssuedAt) / 60_000)),
    codes: status.codes,
    ...(faults && faults.length > 0 ? { faults: [...faults] } : {}),
  };
}

/** Whether two health views show the same thing (flat fields and the list of faulty parts). */
export function sameHealth(a: HealthView, b: HealthView): boolean {
  return (
    a.network === b.network &&
    a.printer === b.printer &&
    a.unsent === b.unsent &&
    a.conflicts === b.conflicts &&
    a.clockSynchronized === b.clockSynchronized &&
    a.clockTrusted === b.clockTrusted &&
    a.listVersion === b.listVersion &&
    a.listAgeMinutes === b.listAgeMinutes &&
    a.codes === b.codes &&
    (a.faults ?? []).join("\n") === (b.faults ?? []).join("\n")
  );
}

function screenView({ mode, ledger, now, presentation: p }: ViewInput): FlowView["screen"] {
  switch (mode.name) {
    case "idle":
    case "menu":
      return { name: mode.name };
    case "sale":
      return { name: "sale", sale: mode.sale.view(p) };
    case "approved":
      return { name: "approved", receipt: mode.receipt };
    case "void_pin":
      return {
        name: "void_pin",
        target: receiptView(mode.target, ledger.index(), p),
        pinLength: mode.prompt.pinLength,
        attemptsLeft: ledger.pinLock(now).attemptsLeft,
      };
    case "z_pin":
      return {
        name: "z_pin",
        zNo: mode.no,
        from: clockText(mode.from, p),
        pinLength: mode.prompt.pinLength,
        attemptsLeft: ledger.pinLock(now).attemptsLeft,
      };
    case "done": {
      const { what, receipt, zNo, print } = mode;
      return {
        name: "done",
        what,
        print,
        ...(receipt ? { receipt } : {}),
        ...(zNo !== undefined ? { zNo } : {}),
      };
    }
  }
}
