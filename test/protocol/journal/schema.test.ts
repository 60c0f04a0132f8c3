import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import {
  type JournalEntry,
  journalEntrySchema,
  type RedeemEntry,
  type redeemEntrySchema,
  type VoidEntry,
  type voidEntrySchema,
} from "../../../src/protocol/journal/index.js";

describe("the journal record schemas", () => {
  it("hold exactly the fields of the record types", () => {
    expectTypeOf<z.infer<typeof redeemEntrySchema>>().toEqualTypeOf<RedeemEntry>();
    expectTypeOf<z.infer<typeof voidEntrySchema>>().toEqualTypeOf<VoidEntry>();
    expectTypeOf<z.infer<typeof journalEntrySchema>>().toEqualTypeOf<JournalEntry>();
  });

  it("refuse a record with a field the journal does not write, or money that is not integer minor units", () => {
    const entry = {
      type: "void",
      id: "01JD2X7Q8K3M4N5P6R7S8T9V0X",
      target: "01JD2X7Q8K3M4N5P6R7S8T9V0W",
      at: "2026-11-22T03:16:00.000Z",
      terminal: "t-07",
      cashier: "c-03",
    };
    expect(journalEntrySchema.safeParse(entry).success).toBe(true);
    expect(journalEntrySchema.safeParse({ ...entry, store: "s-01" }).success).toBe(false);
    const redeem = {
      type: "redeem",
      id: "01JD2X7Q8K3M4N5P6R7S8T9V0W",
      at: "2026-11-22T03:15:07.120Z",
      terminal: "t-07",
      store: "s-01",
      cashier: "c-03",
      currency: "CNY",
      amount: 12800,
      discount: 2560,
      payable: 10240,
      lines: [{ code: "8800123456", campaign: "c20", discount: 2560 }],
      listVersion: 42,
    };
    expect(journalEntrySchema.safeParse(redeem).success).toBe(true);
    expect(journalEntrySchema.safeParse({ ...redeem, payable: 102.4 }).success).toBe(false);
  });
});
