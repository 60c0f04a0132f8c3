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
import { sampleRedeem, sampleVoid } from "../../helpers/journal-entries.js";

describe("the journal record schemas", () => {
  it("hold exactly the fields of the record types", () => {
    expectTypeOf<z.infer<typeof redeemEntrySchema>>().toEqualTypeOf<RedeemEntry>();
    expectTypeOf<z.infer<typeof voidEntrySchema>>().toEqualTypeOf<VoidEntry>();
    expectTypeOf<z.infer<typeof journalEntrySchema>>().toEqualTypeOf<JournalEntry>();
  });

  it("refuse a record with a field the journal does not write, or money that is not integer minor units", () => {
    expect(journalEntrySchema.safeParse(sampleVoid).success).toBe(true);
    expect(journalEntrySchema.safeParse({ ...sampleVoid, store: "s-01" }).success).toBe(false);
    expect(journalEntrySchema.safeParse(sampleRedeem).success).toBe(true);
    expect(journalEntrySchema.safeParse({ ...sampleRedeem, payable: 102.4 }).success).toBe(false);
  });
});
