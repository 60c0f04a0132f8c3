import type { ActionName } from "../../runtime/flow/keymap.js";
import type { HealthView } from "../../runtime/flow/view.js";
import { center } from "../../runtime/text/fit.js";
import { type Block, block, compose, line } from "../layout.js";
import type { Line, LineStyle } from "../line.js";
import { type MessageKey, t } from "../messages.js";
import { headerBlock, hintsBlock, messageBlocks, row, type ScreenOptions, type ViewOf } from "./frame.js";

/** Waiting for the next customer: the store, what to do, and how the terminal is doing. */
export function idleScreen(view: ViewOf<"idle">, o: ScreenOptions): Line[] {
  const top: Block[] = [
    headerBlock(view.storeName, view, o),
    block(5, line("")),
    block(0, line(center(t(o.locale, "idle.prompt"), o.cols), "strong")),
    block(5, line("")),
  ];
  const keys: [ActionName, MessageKey][] = [
    ["menu", "hint.menu"],
    ["manual", "hint.code"],
    ["member", "hint.member"],
  ];
  if (view.printProblem) keys.unshift(["cancel", "hint.dismiss"]);
  const hints = hintsBlock(o, keys);
  return compose(o, top, [...healthBlocks(view.health, o), ...messageBlocks(view, o), hints]);
}

/** One row per health item; a problem is kept on the smallest screen and stands out. */
function healthBlocks(h: HealthView, o: ScreenOptions): Block[] {
  const item = (label: string, value: string, problem: boolean): Block => {
    const style: LineStyle | undefined = problem ? "warning" : undefined;
    return block(problem ? 0 : 3, row(label, value, o, style));
  };
  const printerTrouble = h.printer !== "ok" && h.printer !== "unknown";
  const list =
    h.listVersion === null
      ? t(o.locale, "health.list.none")
      : t(o.locale, "health.list.value", { version: h.listVersion, age: age(h.listAgeMinutes ?? 0, o) });
  // Parts that failed to start (a scanner that is not there, ...): the technician's first clue.
  const faults = h.faults?.length ? [item(t(o.locale, "health.faults"), h.faults.join(", "), true)] : [];
  const clockConsequence = h.clockTrusted
    ? []
    : [block(1, row("", t(o.locale, "health.clock.consequence"), o, "warning"))];
  const conflicts =
    h.conflicts > 0
      ? [
          item(
            t(o.locale, "health.conflicts"),
            t(o.locale, "health.conflicts.value", { count: h.conflicts }),
            true,
          ),
        ]
      : [];
  return [
    ...faults,
    ...conflicts,
    item(t(o.locale, "health.network"), t(o.locale, `network.${h.network}`), h.network === "offline"),
    item(t(o.locale, "health.printer"), t(o.locale, `printer.${h.printer}`), printerTrouble),
    item(t(o.locale, "health.clock"), t(o.locale, clockStatus(h)), !h.clockTrusted),
    ...clockConsequence,
    item(t(o.locale, "health.list"), list, h.listVersion === null),
    item(
      t(o.locale, "health.unsent"),
      h.unsent === null
        ? t(o.locale, "health.unsent.off")
        : t(o.locale, "health.unsent.value", { count: h.unsent }),
      false,
    ),
  ];
}

/**
 * The words `quan doctor` uses: synchronised (the clock is the authority), not synchronised (the
 * terminal's time is the later of clock and trusted time), behind the trusted time (time-limited
 * coupons refused).
 */
function clockStatus(h: HealthView): MessageKey {
  if (!h.clockTrusted) return "health.clock.untrusted";
  return h.clockSynchronized ? "health.clock.synchronized" : "health.clock.unsynchronized";
}

function age(minutes: number, o: ScreenOptions): string {
  if (minutes < 60) return t(o.locale, "age.minutes", { n: minutes });
  if (minutes < 48 * 60) return t(o.locale, "age.hours", { n: Math.floor(minutes / 60) });
  return t(o.locale, "age.days", { n: Math.floor(minutes / 1440) });
}
