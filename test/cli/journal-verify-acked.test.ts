import { writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { entryOf } from "../../src/protocol/journal/index.js";
import { serializeRecord } from "../../src/runtime/store/journal.js";
import { journalFiles } from "../../src/runtime/store/ledger/segments.js";
import { quan } from "../helpers/cli-harness.js";
import { ShopRig, waitFor } from "../helpers/link-rig.js";

let rig: ShopRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

describe("quan journal verify against what the merchant acknowledged", () => {
  it("passes a journal the merchant holds, and catches one rewritten whole (its chain recomputed) after it was reported", async () => {
    rig = new ShopRig();
    await rig.startBroker();
    await rig.startMerchant();
    const t = await rig.startTerminal("T1");
    await waitFor("link up", () => t.health()?.network === "online");
    await t.sale("88000001");
    await t.sale("66000001");
    await waitFor("acknowledged", () => t.health()?.unsent === 0);
    await t.stop();
    const sound = await quan(["journal", "verify", "--data", t.dataDir]);
    expect(sound.code).toBe(0);
    expect(sound.out).toContain("matches what the merchant acknowledged, through seq 2");

    // A careful forger: the first redemption's bill changed, every hash and prev recomputed.
    let prev = "0".repeat(64);
    const lines = t.journal().map((r, i) => {
      const entry = entryOf(r);
      const changed =
        i === 0 && entry.type === "redeem" ? { ...entry, amount: entry.amount + 10_000 } : entry;
      const line = serializeRecord(r.seq, prev, changed);
      prev = line.hash;
      return line.line;
    });
    const [segment] = journalFiles(t.dataDir);
    writeFileSync(segment?.path as string, Buffer.concat(lines));
    const forged = await quan(["journal", "verify", "--data", t.dataDir]);
    expect(forged.code).toBe(1);
    expect(forged.err).toMatch(
      /record 2 is not the one the merchant acknowledged .* rewritten after it was reported/,
    );
  });
});
