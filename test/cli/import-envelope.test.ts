import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { quan, type Workspace, workspace } from "../helpers/cli-harness.js";
import { listCacheSnapshot, listDocument } from "../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
let ws: Workspace;

const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000 }];
const codes = [{ code: "CASH-0001", campaign: "cash" }];

async function signed(version: number): Promise<Record<string, unknown>> {
  const listFile = join(ws.dir, `list-v${version}.json`);
  writeFileSync(
    listFile,
    JSON.stringify(listDocument(campaigns, codes, { version, issuedAt: "2026-03-04T03:00:00Z" })),
  );
  const r = await quan(["coupons", "sign", "--key", ws.key, listFile]);
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

const importText = async (text: string) => {
  const file = join(ws.dir, "incoming.json");
  writeFileSync(file, text);
  return quan(["coupons", "import", file, "--config", ws.config], {}, NOW);
};
const cache = () => listCacheSnapshot(ws.data);
const listDir = () => join(ws.data, "list");
const cacheSize = () => readdirSync(listDir()).reduce((n, f) => n + statSync(join(listDir(), f)).size, 0);

beforeEach(async () => {
  ws = await workspace();
  expect((await importText(JSON.stringify(await signed(1)))).code).toBe(0);
});

describe("a signed envelope carries nothing unsigned into the terminal", () => {
  it("an envelope with an extra field is refused and nothing of it is stored", async () => {
    const before = cache();
    const junk = { ...(await signed(2)), junk: "x".repeat(1_000_000) };
    const r = await importText(JSON.stringify(junk));
    expect(r).toMatchObject({ code: 3, err: expect.stringMatching(/unknown field "junk"/) });
    expect(cache()).toBe(before);
    expect(cacheSize()).toBeLessThan(10_000);
    // The same list without the junk is accepted, and the cache keeps exactly the signed document.
    const clean = await signed(2);
    expect((await importText(JSON.stringify(clean))).code).toBe(0);
    const documents = readdirSync(listDir()).filter((f) => f.startsWith("doc-"));
    expect(documents).toHaveLength(1);
    expect(readFileSync(join(listDir(), documents[0] as string), "utf8")).toBe(clean.document);
    expect(cacheSize()).toBeLessThan(10_000);
  });

  it("deeply nested hostile JSON is a clear refusal, not a stack overflow", async () => {
    const before = cache();
    // A validly signed list with an unsigned field nested 200,000 deep beside it.
    const envelope = JSON.stringify(await signed(2));
    const deep = `${envelope.slice(0, -1)},"junk":${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
    const r = await importText(deep);
    expect(r).toMatchObject({ code: 3, err: expect.stringMatching(/nested deeper than \d+ levels/) });
    expect(cache()).toBe(before);
    expect(
      (
        await quan(
          ["coupons", "check", "--code", "CASH-0001", "--amount", "50", "--config", ws.config],
          {},
          NOW,
        )
      ).code,
    ).toBe(0);
  });

  it("an envelope larger than the limit is refused before it is read", async () => {
    const before = cache();
    const big = join(ws.dir, "big.json");
    writeFileSync(big, "");
    truncateSync(big, 65 * 1024 * 1024); // sparse: costs no disk
    const r = await quan(["coupons", "import", big, "--config", ws.config], {}, NOW);
    expect(r).toMatchObject({ code: 3, err: expect.stringMatching(/larger than 64 MiB/) });
    expect(cache()).toBe(before);
  });
});
