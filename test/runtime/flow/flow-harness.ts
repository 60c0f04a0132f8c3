import type { CouponListInput } from "../../../src/protocol/coupon-list/index.js";
import type { JournalRecord } from "../../../src/protocol/journal/index.js";
import {
  DEMO_MEMBER_PHONE,
  DEMO_MEMBER_SALT,
  demoCampaigns,
  demoCodes,
} from "../../../src/runtime/demo/demo-list.js";
import type { FlowEffects, PrintJob } from "../../../src/runtime/flow/effects.js";
import { type FlowOptions, RedemptionFlow } from "../../../src/runtime/flow/flow.js";
import type { PhysicalKey } from "../../../src/runtime/flow/keymap.js";
import { journalRecords } from "../../helpers/journal-files.js";
import { makeStore, type StoreFixture } from "../../helpers/store-fixture.js";

export const MEMBER_PHONE = DEMO_MEMBER_PHONE;

/** 12:00 in Shanghai: every campaign below is in force except the one that has ended. */
export const NOW = Date.parse("2026-03-04T04:00:00Z");

type CodeInput = CouponListInput["codes"][number];

/** The demo list's campaigns (src/runtime/demo/demo-list.ts), as `npm start` has them. */
export const CAMPAIGNS = demoCampaigns(NOW);

/** The demo's codes, and what the flow tests need beyond them. */
export const CODES: CodeInput[] = [
  ...demoCodes(),
  { code: "66000002", campaign: "cash10" },
  // A member coupon for whoever identifies (the demo's is bound to one phone).
  { code: "99000003", campaign: "member15" },
];

/** The salt the list hashes members with (the demo's). */
export const MEMBER_SALT = DEMO_MEMBER_SALT;

/** A flow on a real coupon store (temp dir, signed list), with recorded prints and bells. */
export class FlowHarness {
  readonly fx: StoreFixture;
  flow: RedemptionFlow;
  readonly printed: PrintJob[] = [];
  bells = 0;
  now = NOW;
  /** Makes the printer fail: a string throws at once, an Error rejects later. */
  printFailure: string | Error | null = null;
  /** While true, prints stay pending until `finishPrints()`. */
  holdPrints = false;
  private readonly held: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private readonly effects: FlowEffects;

  constructor(private readonly options: Partial<FlowOptions> = {}) {
    this.fx = makeStore(CAMPAIGNS, CODES, { extra: { memberSalt: MEMBER_SALT } });
    this.effects = {
      print: (job) => {
        this.printed.push(job);
        const failure = this.printFailure;
        if (typeof failure === "string") throw new Error(failure);
        if (failure) return Promise.reject(failure);
        if (this.holdPrints)
          return new Promise<void>((resolve, reject) => this.held.push({ resolve, reject }));
        return undefined;
      },
      bell: () => {
        this.bells++;
      },
    };
    this.flow = this.newFlow();
  }

  private newFlow(): RedemptionFlow {
    return new RedemptionFlow(
      {
        ledger: this.fx.store,
        effects: this.effects,
        storeName: "小店",
        locale: "zh-CN",
        cashier: "alice",
        ...this.options,
      },
      this.now,
    );
  }

  /** A restart of the daemon: the store closed and opened again, a new flow on it (nothing kept in memory). */
  restart(): this {
    this.fx.reopen();
    this.flow = this.newFlow();
    return this;
  }

  /** Ends the held prints (with `failure`, or printed) and lets their outcome reach the flow. */
  async finishPrints(failure?: Error): Promise<void> {
    for (const p of this.held.splice(0)) {
      if (failure) p.reject(failure);
      else p.resolve();
    }
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }

  /** Presses keys: each character of a string is a key, longer names ("Enter") are one key. */
  press(...keys: string[]): this {
    for (const k of keys) {
      const names = k.length > 1 && !/^[0-9.]+$/.test(k) ? [k] : [...k];
      for (const key of names) this.flow.handle({ type: "key", key: key as PhysicalKey }, this.now);
    }
    return this;
  }

  scan(text: string): this {
    this.flow.handle({ type: "scan", text }, this.now);
    return this;
  }

  /** Lets time pass and delivers a clock tick. */
  wait(ms: number): this {
    this.now += ms;
    this.flow.handle({ type: "tick" }, this.now);
    return this;
  }

  get view() {
    return this.flow.view;
  }

  get screen() {
    return this.flow.view.screen;
  }

  sale() {
    const screen = this.flow.view.screen;
    if (screen.name !== "sale") throw new Error(`expected the sale screen, got ${screen.name}`);
    return screen.sale;
  }

  /** The journal as it is on disk, verified. */
  journal(): JournalRecord[] {
    return journalRecords(this.fx.dir);
  }

  cleanup(): void {
    this.fx.cleanup();
  }
}
