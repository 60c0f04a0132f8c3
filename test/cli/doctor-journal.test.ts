import { appendFileSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { quan, type Workspace, workspace } from "../helpers/cli-harness.js";
import { listDocument } from "../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000, stackable: true }];
const codes = ["CASH-0001", "CASH-0002", "CASH-0003"].map((code) => ({ code, campaign: "cash" }));

let ws: Workspace;
const run = (args: string[]) => quan([...args, "--config", ws.config], {}, NOW);
const journalPath = () => join(ws.data, "journal.log");

beforeEach(async () => {
  ws = await workspace();
  const listFile = join(ws.dir, "list.json");
  writeFileSync(listFile, JSON.stringify(listDocument(campaigns, codes)));
  const signed = join(ws.dir, "signed.json");
  expect((await quan(["coupons", "sign", "--key", ws.key, listFile, "--out", signed])).code).toBe(0);
  expect((await run(["coupons", "import", signed])).code).toBe(0);
  for (const code of ["CASH-0001", "CASH-0002"])
    expect((await run(["redeem", "--code", code, "--amount", "50"])).code).toBe(0);
});

describe("a committed last record cut short (the counters snapshot says it was committed)", () => {
  it("doctor fails it as the terminal does, and journal verify says so", async () => {
    truncateSync(journalPath(), readFileSync(journalPath()).length - 5);
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
  it("doctor lists each journal.log.torn-* file with the redemption it holds", async () => {
    const lines = readFileSync(journalPath(), "utf8").split("\n");
    const second = lines[1] as string;
    const id = JSON.parse(second.split("\t")[0] as string).id as string;
    // A power cut in the middle of writing a third record (not yet in the counters snapshot).
    appendFileSync(journalPath(), second.replace('"seq":2', '"seq":3').slice(0, second.length - 40));
    expect((await run(["redeem", "--code", "CASH-0003", "--amount", "50"])).code).toBe(0);
    const torn = readdirSync(ws.data).filter((f) => f.startsWith("journal.log.torn-"));
    expect(torn).toHaveLength(1);

    const doctor = await run(["doctor"]);
    expect(doctor.out).toMatch(new RegExp(`WARN +journal: ${torn[0]} \\(\\d+ bytes\\).*${id}.*CASH-0002`));
    expect(doctor.code).toBe(0);
  });
});
