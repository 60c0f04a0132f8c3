import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { quan } from "../../helpers/cli-harness.js";
import { journalText } from "../../helpers/journal-files.js";

/**
 * test/fixtures/datadir-before-list-cache was written by the CLI before the compact list cache:
 * the list in DATA/coupons.json (lowdb), two redemptions in the journal, state.json.
 */
const FIXTURE = join(import.meta.dirname, "../../fixtures/datadir-before-list-cache");
const NOW = Date.parse("2026-11-24T09:00:00Z");
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function copyFixture(): { config: string; data: string } {
  dir = mkdtempSync(join(tmpdir(), "quan-migrate-"));
  cpSync(FIXTURE, dir, { recursive: true });
  const config = join(dir, "config.json");
  const data = join(dir, "data");
  writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(config, "utf8")), dataDir: data }));
  return { config, data };
}

const redeem = (config: string, code: string, amount = "100") =>
  quan(["redeem", "--code", code, "--amount", amount, "--config", config, "--json"], {}, NOW);

describe("a data dir written before the compact list cache", () => {
  it("opens, its list moves to the compact cache once, and no redemption is lost", async () => {
    const { config, data } = copyFixture();
    const journalBefore = readFileSync(join(data, "journal.log"), "utf8");
    // PCT-0001 was redeemed by the old code: still used. CASH-0002 had 2 uses, one is left.
    expect(JSON.parse((await redeem(config, "PCT-0001")).out).lines[0].reason).toBe("used");
    expect(existsSync(join(data, "list", "codes.table"))).toBe(true);
    expect(existsSync(join(data, "coupons.json"))).toBe(false);
    expect((await redeem(config, "CASH-0002", "80")).code).toBe(0);
    expect(JSON.parse((await redeem(config, "CASH-0002", "80")).out).lines[0].reason).toBe("used");
    // The campaign limit (2) counts the old redemption too.
    expect((await redeem(config, "PCT-0002")).code).toBe(0);
    // The old journal.log became the first segment, unchanged.
    expect(journalText(data).startsWith(journalBefore)).toBe(true);
    const doctor = await quan(["doctor", "--config", config], {}, NOW);
    expect(doctor.out).toMatch(/coupon list: version 7, 4 codes, .*, signatures and table re-verified/);
    const verify = await quan(["journal", "verify", "--config", config], {}, NOW);
    expect(verify.out).toMatch(/4 records in 1 segment\(s\), hash chain intact/);
  });

  it("is read as it is by a dry run before any start (nothing is written)", async () => {
    const { config, data } = copyFixture();
    const r = await quan(
      ["coupons", "check", "--code", "CASH-0001", "--amount", "50", "--config", config],
      {},
      NOW,
    );
    expect(r.code).toBe(0);
    expect(existsSync(join(data, "coupons.json"))).toBe(true);
    expect(existsSync(join(data, "list"))).toBe(false);
  });

  it("an old cache edited on disk is refused at start and is not migrated", async () => {
    const { config, data } = copyFixture();
    const file = join(data, "coupons.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('amountOff\\":1000', 'amountOff\\":9000'));
    const r = await redeem(config, "CASH-0001");
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/coupons\.json: the cached coupon list cannot be migrated: .*signature/);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(data, "list", "codes.table"))).toBe(false);
  });

  it("a crash after the new cache was written but before the old file went finishes at the next start", async () => {
    const { config, data } = copyFixture();
    const old = readFileSync(join(data, "coupons.json"));
    expect((await redeem(config, "CASH-0001")).code).toBe(0);
    writeFileSync(join(data, "coupons.json"), old); // as if the removal never happened
    expect(JSON.parse((await redeem(config, "CASH-0001")).out).lines[0].reason).toBe("used");
    expect(existsSync(join(data, "coupons.json"))).toBe(false);
  });
});
