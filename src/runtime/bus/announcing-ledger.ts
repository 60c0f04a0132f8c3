import type { CouponStore } from "../store/coupon-store.js";
import type { LedgerPort } from "../store/ledger-port.js";
import type { PartBus } from "./terminal-events.js";

/** The store as the parts use it: the flow's ledger, list import and what clock trust and the watchdog need. */
export type TerminalLedger = LedgerPort &
  Pick<
    CouponStore,
    | "importList"
    | "listImportTarget"
    | "commitPreparedList"
    | "applyDelta"
    | "compactList"
    | "canCommit"
    | "trustedTime"
    | "vouchedTime"
    | "raiseTrustedTime"
    | "journalHead"
    | "listHead"
    | "applyPeerEntry"
    | "setOnline"
  >;

/**
 * The store, announcing on the bus what it committed: each event is emitted after the store
 * returned (the record is on disk), and a listener's failure cannot undo or fail the commit.
 * A delta that leaves the overlay past its threshold asks `compactor` to fold it in, off the
 * hot path.
 */
export function announcingLedger(
  store: CouponStore,
  bus: PartBus,
  compactor?: { request(): void },
): TerminalLedger {
  return {
    index: () => store.index(),
    check: (basket, now) => store.check(basket, now),
    redeem(basket, now, cashier) {
      const result = store.redeem(basket, now, cashier);
      if (result.committed) bus.emit("redemption.committed", { entry: result.entry });
      return result;
    },
    voidLastRedemption(id, now, cashier, pin) {
      const entry = store.voidLastRedemption(id, now, cashier, pin);
      bus.emit("void.committed", { entry });
      return entry;
    },
    lastRedemption: () => store.lastRedemption(),
    redemption: (id) => store.redemption(id),
    entriesBetween: (from, to) => store.entriesBetween(from, to),
    lastDayClose: () => store.lastDayClose(),
    closeDay(from, to, pin) {
      const close = store.closeDay(from, to, pin);
      bus.emit("day.closed", close);
      return close;
    },
    pinLock: (now) => store.pinLock(now),
    memberHash: (raw) => store.memberHash(raw),
    status: (now) => store.status(now),
    importList(text, now) {
      const result = store.importList(text, now);
      if (result.status === "imported")
        bus.emit("list.applied", { version: result.version, codes: result.codes });
      return result;
    },
    listImportTarget: () => store.listImportTarget(),
    commitPreparedList(prepared, now) {
      const result = store.commitPreparedList(prepared, now);
      if (result.status === "imported")
        bus.emit("list.applied", { version: result.version, codes: result.codes });
      return result;
    },
    applyDelta(envelope, now) {
      const result = store.applyDelta(envelope, now);
      if (result.status === "applied") {
        const index = store.index();
        bus.emit("list.applied", { version: result.version, codes: index?.codes.size ?? 0 });
      }
      if (result.compactDue) compactor?.request();
      return result;
    },
    compactList: () => store.compactList(),
    canCommit: () => store.canCommit(),
    trustedTime: () => store.trustedTime(),
    vouchedTime: () => store.vouchedTime(),
    raiseTrustedTime: (instant, source) => store.raiseTrustedTime(instant, source),
    journalHead: () => store.journalHead(),
    listHead: () => store.listHead(),
    applyPeerEntry: (entry) => store.applyPeerEntry(entry),
    setOnline: (online, now) => store.setOnline(online, now),
  };
}
