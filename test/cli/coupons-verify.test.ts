import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { quan, type Workspace, workspace } from "../helpers/cli-harness.js";
import { listDocument } from "../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
let ws: Workspace;

beforeEach(async () => {
  ws = await workspace();
  const list = join(ws.dir, "list.json");
  writeFileSync(
    list,
    JSON.stringify(
      listDocument(
        [{ id: "cash", name: "Cash", kind: "amount", amountOff: 1000 }],
        [{ code: "CASH-0001", campaign: "cash" }],
        { issuedAt: "2026-03-04T03:00:00Z" },
      ),
    ),
  );
  const signedFile = join(ws.dir, "list.signed.json");
  expect((await quan(["coupons", "sign", "--key", ws.key, list, "--out", signedFile])).code).toBe(0);
  expect((await quan(["coupons", "import", signedFile, "--config", ws.config], {}, NOW)).code).toBe(0);
});

describe("quan coupons verify", () => {
  it("says the cache holds up against the merchant key", async () => {
    const r = await quan(["coupons", "verify", "--config", ws.config], {}, NOW);
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/verified against the merchant key/) });
  });

  it("finds a table edited on the SD card even when its own hash was fixed up", async () => {
    const file = join(ws.data, "list", "codes.table");
    const edited = Buffer.from(
      readFileSync(file, "latin1").replace('"amountOff":1000', '"amountOff":9000'),
      "latin1",
    );
    createHash("sha256").update(edited.subarray(64)).digest().copy(edited, 32);
    writeFileSync(file, edited);
    // The start-up check (the table's own hash) passes: that is why this command exists.
    const check = await quan(
      ["coupons", "check", "--code", "CASH-0001", "--amount", "50", "--config", ws.config],
      {},
      NOW,
    );
    expect(check.out).toMatch(/90\.00/);
    const r = await quan(["coupons", "verify", "--config", ws.config], {}, NOW);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the table's list \(campaigns, revocations\) differs from its signed documents/);
    const doctor = await quan(["doctor", "--config", ws.config], {}, NOW);
    expect(doctor.out).toMatch(
      /FAIL {2}coupon list: the cached list does not hold up against the merchant key/,
    );
  });
});
