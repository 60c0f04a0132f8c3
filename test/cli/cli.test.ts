import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { quan, signList, type Workspace, workspace } from "../helpers/cli-harness.js";
import { listDocument } from "../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
let ws: Workspace;

const campaigns = [
  {
    id: "pct",
    name: { zh: "八折", en: "20% off" },
    kind: "percent" as const,
    percentOff: 20,
    stackable: true,
  },
  { id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000, stackable: true },
  { id: "late", name: "Late", kind: "amount" as const, amountOff: 1000, hours: ["22:00-02:00"] },
];
const codes = [
  { code: "PCT-0001", campaign: "pct" },
  { code: "CASH-0001", campaign: "cash" },
  { code: "LATE-0001", campaign: "late", uses: 9 },
];

async function signAndImport(version: number, extra = {}) {
  const signed = await signList(ws, listDocument(campaigns, codes, { version, ...extra }), `-v${version}`);
  return quan(["coupons", "import", signed, "--config", ws.config], {}, NOW);
}

beforeEach(async () => {
  ws = await workspace();
});

describe("a technician's round trip", () => {
  it("keys, sign, import, check, redeem, void, verify, export", async () => {
    expect(await signAndImport(1)).toMatchObject({ code: 0, out: "imported version 1: 3 codes\n" });

    const check = await quan(
      [
        "coupons",
        "check",
        "--code",
        "PCT-0001",
        "--code",
        "CASH-0001",
        "--amount",
        "128.50",
        "--json",
        "--config",
        ws.config,
      ],
      {},
      NOW,
    );
    expect(check.code).toBe(0);
    expect(JSON.parse(check.out)).toMatchObject({
      ok: true,
      amount: 12850,
      discount: 3570,
      payable: 9280,
      payableText: "92.80",
      lines: [
        { code: "PCT-0001", ok: true, offer: "8折", discount: 2570 },
        { code: "CASH-0001", ok: true, discount: 1000 },
      ],
    });

    const redeem = await quan(
      [
        "redeem",
        "--code",
        "PCT-0001",
        "--amount",
        "128.50",
        "--json",
        "--config",
        ws.config,
        "--cashier",
        "li",
      ],
      {},
      NOW,
    );
    expect(redeem.code).toBe(0);
    const id = JSON.parse(redeem.out).redemption as string;
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    const again = await quan(
      ["redeem", "--code", "PCT-0001", "--amount", "128.50", "--json", "--config", ws.config],
      {},
      NOW + 1000,
    );
    expect(again.code).toBe(3);
    expect(JSON.parse(again.out)).toMatchObject({
      ok: false,
      committed: false,
      lines: [{ reason: "used", lastUse: { redemption: id, terminal: "T01" } }],
    });

    expect((await quan(["void", id, "--pin", "0000", "--config", ws.config], {}, NOW + 5000)).code).toBe(3);
    expect(await quan(["void", id, "--pin", "2468", "--config", ws.config], {}, NOW + 5000)).toMatchObject({
      code: 0,
    });
    expect(
      (await quan(["redeem", "--code", "PCT-0001", "--amount", "10", "--config", ws.config], {}, NOW + 9000))
        .code,
    ).toBe(0);

    const verify = await quan(["journal", "verify", "--config", ws.config]);
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.out).toMatch(/3 records/);

    const csv = await quan(["journal", "export", "--format", "csv", "--config", ws.config]);
    const rows = csv.out
      .trim()
      .split("\r\n")
      .map((r) => r.split(","));
    expect(rows[0]).toEqual(
      expect.arrayContaining([
        "type",
        "redemption_id",
        "local_time",
        "terminal",
        "cashier",
        "code",
        "campaign",
        "bill",
        "line_discount",
      ]),
    );
    const col = (name: string) => (rows[0] as string[]).indexOf(name);
    expect(
      rows
        .slice(1)
        .map((r) => [
          r[col("type")],
          r[col("code")],
          r[col("bill")],
          r[col("line_discount")],
          r[col("local_time")],
        ]),
    ).toEqual([
      ["redeem", "PCT-0001", "128.50", "25.70", "2026-03-04 12:00:00"],
      ["void", "PCT-0001", "-128.50", "-25.70", "2026-03-04 12:00:05"],
      ["redeem", "PCT-0001", "10.00", "2.00", "2026-03-04 12:00:09"],
    ]);
  });

  it("--at evaluates hour windows in the store timezone", async () => {
    await signAndImport(1);
    const at = async (iso: string) => {
      const r = await quan(
        [
          "coupons",
          "check",
          "--code",
          "LATE-0001",
          "--amount",
          "50",
          "--at",
          iso,
          "--json",
          "--config",
          ws.config,
        ],
        {},
        NOW,
      );
      return JSON.parse(r.out).lines[0].reason ?? "ok";
    };
    expect(await at("2026-03-04T23:30:00+08:00")).toBe("ok");
    expect(await at("2026-03-04T23:30:00Z")).toBe("outside_hours"); // 07:30 in Shanghai
  });
});

describe("while the terminal is running", () => {
  it("coupons check still answers; redeem is refused with who holds the data directory", async () => {
    await signAndImport(1);
    const { openStoreFor } = await import("../../src/cli/cli-config.js");
    const { loadConfigFile } = await import("../../src/runtime/config/load.js");
    const running = openStoreFor(loadConfigFile(ws.config));
    try {
      const check = await quan(
        ["coupons", "check", "--code", "CASH-0001", "--amount", "50", "--config", ws.config],
        {},
        NOW,
      );
      expect(check).toMatchObject({ code: 0, out: expect.stringMatching(/CASH-0001: OK/) });
      const redeem = await quan(
        ["redeem", "--code", "CASH-0001", "--amount", "50", "--config", ws.config],
        {},
        NOW,
      );
      expect(redeem).toMatchObject({ code: 4, err: expect.stringMatching(/is in use by process \d+/) });
    } finally {
      running.close();
    }
  });
});

describe("bad input gets a clear error and changes nothing", () => {
  it("a bad amount, code or instant", async () => {
    await signAndImport(1);
    const run = (...args: string[]) => quan(["coupons", "check", "--config", ws.config, ...args], {}, NOW);
    expect(await run("--code", "PCT-0001", "--amount", "12.345")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--amount: "12.345" has more than 2 decimals/),
    });
    expect(await run("--code", "PCT-0001", "--amount", "1e3")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--amount/),
    });
    expect(await run("--code", "<script>", "--amount", "1")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--code: .* is not a coupon code/),
    });
    expect(await run("--code", "PCT-0001", "--amount", "1", "--at", "2026-03-04 12:00")).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--at: .* is not an instant/),
    });
  });

  it("a cash voucher on a ￥0 bill is refused (exit 3, nothing_off) and redeem commits nothing", async () => {
    await signAndImport(1);
    const check = await quan(
      ["coupons", "check", "--code", "CASH-0001", "--amount", "0", "--config", ws.config],
      {},
      NOW,
    );
    expect(check).toMatchObject({
      code: 3,
      out: expect.stringMatching(/CASH-0001: REFUSED \(nothing_off\)/),
    });
    const redeem = await quan(
      ["redeem", "--code", "CASH-0001", "--amount", "0", "--json", "--config", ws.config],
      {},
      NOW,
    );
    expect(redeem.code).toBe(3);
    expect(JSON.parse(redeem.out)).toMatchObject({ ok: false, lines: [{ reason: "nothing_off" }] });
    expect((await quan(["journal", "verify", "--config", ws.config])).out).toMatch(/0 records/);
  });

  it("a forged list is refused and the list in force stays", async () => {
    await signAndImport(2);
    const signed = join(ws.dir, "signed-v2.json");
    const forged = join(ws.dir, "forged.json");
    writeFileSync(forged, readFileSync(signed, "utf8").replace('\\"version\\":2', '\\"version\\":3'));
    const r = await quan(["coupons", "import", forged, "--config", ws.config], {}, NOW);
    expect(r).toMatchObject({ code: 3, err: expect.stringMatching(/signature does not match/) });
    expect((await signAndImport(1)).err).toMatch(/version 1 is not newer than version 2/);
  });

  it("config check names the file, the field and what was expected", async () => {
    const bad = join(ws.dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({
        terminal: { id: "T 1", store: "S", storeName: "x" },
        merchant: { id: "m", publicKey: "short" },
      }),
    );
    const r = await quan(["config", "check", bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}: terminal.id: 1-32 letters, digits, _ or -`);
    expect(r.err).toContain(`${bad}: merchant.publicKey: expected the merchant's Ed25519 public key`);
    expect(await quan(["config", "check", ws.config])).toMatchObject({ code: 0 });
  });

  it("an unknown command prints the usage", async () => {
    expect(await quan(["frobnicate"])).toMatchObject({
      code: 2,
      err: expect.stringMatching(/unknown command "frobnicate"/),
    });
  });
});

describe("quan doctor", () => {
  it("says what is missing and how to fix it, then that the terminal is ready", async () => {
    const before = await quan(["doctor", "--config", ws.config], {}, NOW);
    expect(before.code).toBe(1);
    expect(before.out).toMatch(
      /FAIL +coupon list: none installed: import one with `quan coupons import FILE`/,
    );
    await signAndImport(1, { issuedAt: "2026-03-04T03:00:00Z" });
    const after = await quan(["doctor", "--config", ws.config], {}, NOW);
    expect(after.out).toMatch(/ok +coupon list: version 1, 3 codes/);
    expect(after.out).toMatch(/ok +journal: 0 records/);
    expect(after).toMatchObject({ code: 0, out: expect.stringMatching(/ready\.\n$/) });
    const stale = await quan(["doctor", "--config", ws.config], {}, NOW + 4 * 86_400_000);
    expect(stale.out).toMatch(/WARN +coupon list: .* older than 3 days, is the server reachable\?/);
  });

  it("asks a real printer for its status", async () => {
    const config = JSON.parse(readFileSync(ws.config, "utf8"));
    writeFileSync(
      ws.config,
      JSON.stringify({ ...config, printer: { kind: "device", path: join(ws.dir, "no-printer") } }),
    );
    const r = await quan(["doctor", "--config", ws.config], {}, NOW);
    expect(r.out).toMatch(/FAIL +printer: .*no-printer: .*not connected/);
    expect(r.code).toBe(1);
  });

  it("warns about a clock behind the trusted time", async () => {
    await signAndImport(1, { issuedAt: "2026-03-04T06:00:00Z" });
    const r = await quan(["doctor", "--config", ws.config], {}, NOW);
    expect(r.out).toMatch(/WARN +clock: 120 min behind the latest trusted time/);
  });
});
