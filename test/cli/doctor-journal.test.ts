import { appendFileSync, existsSync, readdirSync, readFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { checkpointName } from "../../src/runtime/store/ledger/checkpoint.js";
import { journalFiles } from "../../src/runtime/store/ledger/segments.js";
import { quan, signList, type Workspace, workspace } from "../helpers/cli-harness.js";
import { listDocument } from "../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000, stackable: true }];
const codes = ["CASH-0001", "CASH-0002", "CASH-0003"].map((code) => ({ code, campaign: "cash" }));

let ws: Workspace;
const run = (args: string[]) => quan([...args, "--config", ws.config], {}, NOW);
/** The segment appends go to: where a power cut tears a record. */
const lastSegment = () => {
  const path = journalFiles(ws.data).at(-1)?.path;
  expect(path).toMatch(/journal[/\\]\d{6}\.log$/);
  return path as string;
};

beforeEach(async () => {
  ws = await workspace();
  const signed = await signList(ws, listDocument(campaigns, codes));
  expect((await run(["coupons", "import", signed])).code).toBe(0);
  for (const code of ["CASH-0001", "CASH-0002"])
    expect((await run(["redeem", "--code", code, "--amount", "50"])).code).toBe(0);
});

describe("a committed last record cut short (the counters checkpoint says it was committed)", () => {
  it("doctor fails it as the terminal does, and journal verify says so", async () => {
    // The store checkpoints its counters when it closes: the checkpoint names record 2.
    expect(existsSync(join(ws.data, "ledger", checkpointName(2)))).toBe(true);
    truncateSync(lastSegment(), readFileSync(lastSegment()).length - 5);
    // The terminal refuses to open it.
    const redeem = await run(["redeem", "--code", "CASH-0003", "--amount", "50"]);
    expect(redeem.code).toBe(1);
    expect(redeem.err).toMatch(/damaged/);

    const doctor = await run(["doctor"]);
    expect(doctor.code).toBe(1);
    expect(doctor.out).toMatch(/FAIL +journal: .*record 2 was committed.*restore the journal from backup/);
    expect(doctor.out).not.toMatch(/ready\./);

    const verify = await run(["journal", "verify"]);
    expect(verify.code).toBe(1);
    expect(verify.err).toMatch(/record 2 was committed/);
  });
});

describe("a torn tail set aside at start", () => {
  it("doctor lists each set-aside NNNNNN.log.torn-* file with the redemption it holds", async () => {
    const segment = lastSegment();
    const lines = readFileSync(segment, "utf8").split("\n");
    const second = lines[1] as string;
    const id = JSON.parse(second.split("\t")[0] as string).id as string;
    // A power cut in the middle of writing a third record (not yet in the counters checkpoint).
    appendFileSync(segment, second.replace('"seq":2', '"seq":3').slice(0, second.length - 40));
    expect((await run(["redeem", "--code", "CASH-0003", "--amount", "50"])).code).toBe(0);
    const torn = readdirSync(join(ws.data, "journal")).filter((f) => /^\d{6}\.log\.torn-\d+$/.test(f));
    expect(torn).toHaveLength(1);

    const doctor = await run(["doctor"]);
    expect(doctor.out).toMatch(
      new RegExp(`WARN +journal: journal/${torn[0]} \\(\\d+ bytes\\).*${id}.*CASH-0002`),
    );
    expect(doctor.code).toBe(0);
  });
});
