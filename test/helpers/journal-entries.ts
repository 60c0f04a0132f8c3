import type { RedeemEntry, VoidEntry } from "../../src/protocol/journal/index.js";

/** A redemption as the journal writes it: the one in the MQTT examples (docs/examples/mqtt). */
export const sampleRedeem: RedeemEntry = {
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

/** Its void, a minute later at the same till (no reason given). */
export const sampleVoid: VoidEntry = {
  type: "void",
  id: "01JD2X7Q8K3M4N5P6R7S8T9V0X",
  target: sampleRedeem.id,
  at: "2026-11-22T03:16:00.000Z",
  terminal: "t-07",
  cashier: "c-03",
};
