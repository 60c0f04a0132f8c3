import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { quan, signList, type Workspace, workspace } from "../helpers/cli-harness.js";
import { journalText } from "../helpers/journal-files.js";
import { listCacheSnapshot, listDocument } from "../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const Y2099 = Date.parse("2099-01-01T00:00:00Z");
let ws: Workspace;

const campaigns = [
  { id: "plain", name: "Plain", kind: "amount" as const, amountOff: 1000 },
  {
    id: "timed",
    name: "Timed",
    kind: "amount" as const,
    amountOff: 500,
    validUntil: "2026-12-31T00:00:00Z",
  },
];
const codes = [
  { code: "PLAIN1", campaign: "plain", uses: 99 },
  { code: "TIMED1", campaign: "timed", uses: 99 },
];

const signedList = (version: number, issuedAt: string) =>
  signList(ws, listDocument(campaigns, codes, { version, issuedAt }), `-v${version}`);

const importFile = (file: string, now = NOW) =>
  quan(["coupons", "import", file, "--config", ws.config], {}, now);
const run = (args: string[], now = NOW) => quan([...args, "--config", ws.config], {}, now);
const reason = async (code: string, now = NOW) => {
  const r = await run(["coupons", "check", "--code", code, "--amount", "50", "--json"], now);
  return JSON.parse(r.out).lines[0].reason ?? "ok";
};
const state = () => JSON.parse(readFileSync(join(ws.data, "state.json"), "utf8"));
const journalLines = () =>
  journalText(ws.data)
    .trim()
    .split("\n")
    .filter((l) => l)
    .map((l) => l.split("\t")[0] as string);

beforeEach(async () => {
  ws = await workspace();
  expect((await importFile(await signedList(1, "2026-03-04T03:00:00Z"))).code).toBe(0);
});

describe("--at is for dry runs only", () => {
  it("redeem and void refuse --at with exit 2 and commit nothing", async () => {
    const redeem = await run([
      "redeem",
      "--code",
      "PLAIN1",
      "--amount",
      "50",
      "--at",
      "2099-01-01T00:00:00Z",
    ]);
    expect(redeem).toMatchObject({ code: 2, err: expect.stringMatching(/--at .*dry run.*coupons check/) });
    expect(journalLines()).toEqual([]);
    expect(await reason("TIMED1")).toBe("ok");

    const ok = await run(["redeem", "--code", "PLAIN1", "--amount", "50", "--json"]);
    const id = JSON.parse(ok.out).redemption as string;
    // 40 minutes later the void window (30 min) has passed; --at must not reopen it.
    const late = NOW + 40 * 60_000;
    const backdated = await run(["void", id, "--pin", "2468", "--at", new Date(NOW).toISOString()], late);
    expect(backdated).toMatchObject({ code: 2, err: expect.stringMatching(/--at/) });
    expect(await run(["void", id, "--pin", "2468"], late)).toMatchObject({
      code: 3,
      err: expect.stringMatching(/window_passed/),
    });
    expect(journalLines()).toHaveLength(1);
  });

  it("coupons check still takes --at", async () => {
    expect(await reason("TIMED1", NOW)).toBe("ok");
    const r = await run([
      "coupons",
      "check",
      "--code",
      "TIMED1",
      "--amount",
      "50",
      "--json",
      "--at",
      "2027-01-02T00:00:00Z",
    ]);
    expect(JSON.parse(r.out).lines[0].reason).toBe("expired");
  });
});

describe("a redemption's own time is not trusted time", () => {
  it("a clock that was wrong once does not expire every time-limited coupon afterwards", async () => {
    // The clock jumped to 2099 for one redemption (a bad RTC, a mistyped `date -s`).
    expect((await run(["redeem", "--code", "PLAIN1", "--amount", "50"], Y2099)).code).toBe(0);
    expect(await reason("TIMED1", NOW + 60_000)).toBe("ok");
    expect((await run(["redeem", "--code", "TIMED1", "--amount", "50", "--json"], NOW + 60_000)).code).toBe(
      0,
    );
    expect(Date.parse(JSON.parse(journalLines().at(-1) as string).at)).toBe(NOW + 60_000);
    expect(state().trustedTime).toBeLessThan(Date.parse("2027-01-01T00:00:00Z"));
  });
});

describe("a list dated far ahead of the terminal's time", () => {
  it("is refused, and the terminal's trusted time does not move", async () => {
    const before = listCacheSnapshot(ws.data);
    const r = await importFile(await signedList(2, "2099-01-01T00:00:00Z"));
    expect(r).toMatchObject({
      code: 3,
      err: expect.stringMatching(/issued 2099-01-01.* ahead of this terminal's time/),
    });
    expect(r.err).toMatch(/quan time import/);
    expect(listCacheSnapshot(ws.data)).toBe(before);
    expect(state().trustedTime).toBe(Date.parse("2026-03-04T03:00:00Z"));
    expect(await reason("TIMED1")).toBe("ok");
    // A list dated within the bound (a clock an hour behind after an offline reboot) is accepted.
    expect((await importFile(await signedList(3, "2026-03-04T05:00:00Z"))).code).toBe(0);
  });
});

describe("a terminal poisoned by an older version", () => {
  const poison = () => {
    // What the old code left behind: a 2099 list date or --at redemption raised the trusted time.
    writeFileSync(
      join(ws.data, "state.json"),
      JSON.stringify({ format: "quan.state/1", trustedTime: Y2099, snapshot: null }),
    );
  };

  it("keeps working for coupons without dates, journals at the clock, and doctor says how to fix it", async () => {
    poison();
    expect(await reason("TIMED1")).toBe("clock_unverified");
    expect(await reason("PLAIN1")).toBe("ok");
    expect((await run(["redeem", "--code", "PLAIN1", "--amount", "50"])).code).toBe(0);
    expect(Date.parse(JSON.parse(journalLines().at(-1) as string).at)).toBe(NOW);
    const doctor = await run(["doctor"]);
    expect(doctor.out).toMatch(
      /FAIL +clock: trusted time 2099-01-01T00:00:00.000Z \(.*\) is \d+ min ahead of the clock/,
    );
    expect(doctor.out).toMatch(/quan time sign .*quan time import/);
    // A corrected list does not bring it back by itself: only the merchant's signed word does.
    expect((await importFile(await signedList(2, "2026-03-04T03:30:00Z"))).code).toBe(0);
    expect(await reason("TIMED1")).toBe("clock_unverified");
  });

  it("recovers with a signed time statement from the merchant", async () => {
    poison();
    const statement = join(ws.dir, "time.json");
    const sign = await quan(
      ["time", "sign", "--key", ws.key, "--merchant", "m-test", "--out", statement],
      {},
      NOW,
    );
    expect(sign.code).toBe(0);
    const imported = await run(["time", "import", statement], NOW + 60_000);
    expect(imported).toMatchObject({
      code: 0,
      out: expect.stringMatching(/trusted time set to 2026-03-04T04:00:00.000Z \(was 2099-01-01/),
    });
    expect(state().trustedTime).toBe(NOW);
    expect(await reason("TIMED1", NOW + 60_000)).toBe("ok");
    expect((await run(["doctor"], NOW + 60_000)).out).toMatch(/ok +clock: /);
    // The same statement cannot be used twice.
    expect(await run(["time", "import", statement], NOW + 120_000)).toMatchObject({
      code: 3,
      err: expect.stringMatching(/already imported/),
    });
  });

  it("refuses an expired, forged, foreign or mistaken time statement and changes nothing", async () => {
    poison();
    const statement = join(ws.dir, "time.json");
    await quan(["time", "sign", "--key", ws.key, "--merchant", "m-test", "--out", statement], {}, NOW);
    const expired = await run(["time", "import", statement], NOW + 2 * 3_600_000);
    expect(expired).toMatchObject({ code: 3, err: expect.stringMatching(/expired/) });

    const other = join(ws.dir, "other.json");
    await quan(["time", "sign", "--key", ws.key, "--merchant", "m-other", "--out", other], {}, NOW);
    expect(await run(["time", "import", other])).toMatchObject({
      code: 3,
      err: expect.stringMatching(/merchant/),
    });

    const forged = join(ws.dir, "forged.json");
    writeFileSync(forged, readFileSync(statement, "utf8").replace("2026-03-04T04:00", "2026-03-04T05:00"));
    expect(await run(["time", "import", forged])).toMatchObject({
      code: 3,
      err: expect.stringMatching(/signature does not match/),
    });

    // A signed coupon list is not a time statement.
    expect(await run(["time", "import", join(ws.dir, "signed-v1.json")])).toMatchObject({
      code: 3,
      err: expect.stringMatching(/not a time statement/),
    });
    expect(state().trustedTime).toBe(Y2099);
  });
});

describe("quan doctor and the clock", () => {
  it("reports the trusted time and where it came from", async () => {
    const r = await run(["doctor"], NOW + 60_000);
    expect(r.out).toMatch(
      /ok +clock: 2026-03-04T04:01:00.000Z \((not )?NTP synchronised\), trusted time 2026-03-04T03:00:00.000Z \(coupon list\)/,
    );
  });
});
