import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { demoCodes, demoList } from "../../src/runtime/demo/demo-list.js";
import { quan } from "../helpers/cli-harness.js";
import { ShopRig, waitFor } from "../helpers/link-rig.js";

let rig: ShopRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

describe("quan merchant", () => {
  it("publish puts a list in force on a running terminal; export, conflicts and terminals read the record", async () => {
    rig = new ShopRig();
    await rig.startBroker();
    await rig.startMerchant();
    const t = await rig.startTerminal("T1");
    await waitFor("link up", () => t.health()?.network === "online");
    const config = rig.merchantConfigFile();
    const listFile = join(rig.root, "v9.json");
    writeFileSync(
      listFile,
      JSON.stringify(
        demoList(Date.now(), 9, { codes: [...demoCodes(), { code: "CLI00001", campaign: "cash10" }] }),
      ),
    );
    const published = await quan(["merchant", "publish", "--config", config, "--list", listFile]);
    expect(published.err).toBe("");
    expect(published.code).toBe(0);
    expect(published.out).toMatch(/published snapshot version 9 for every store: 1 chunk/);
    await waitFor("version 9 in force", () => t.terminal.ledger.listHead()?.version === 9);

    const again = await quan(["merchant", "publish", "--config", config, "--list", listFile]);
    expect(again.code).toBe(3);
    expect(again.err).toContain("version 9 is not newer than version 9 already published");

    await t.sale("CLI00001");
    const [record] = t.journal();
    await waitFor("acknowledged", () => t.health()?.unsent === 0);
    const exported = await quan(["merchant", "export", "--config", config, "--no-bom"]);
    expect(exported.code).toBe(0);
    const lines = exported.out.trim().split("\r\n");
    expect(lines[0]).toMatch(/^type,redemption_id,/);
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toContain(record?.id);
    expect(lines[1]).toContain("CLI00001");

    expect((await quan(["merchant", "conflicts", "--config", config])).out).toBe("no conflicts\n");

    // Signed commands, answered by the terminal; one it does not run is refused; nobody there: no answer.
    const ask = (terminal: string, name: string, timeout = "10") =>
      quan([
        "merchant",
        "command",
        "--config",
        config,
        "--store",
        "S001",
        "--terminal",
        terminal,
        name,
        "--timeout",
        timeout,
      ]);
    const status = await ask("T1", "report-status");
    expect(status).toMatchObject({ code: 0, out: "T1: report-status done\n" });
    const page = await ask("T1", "print-test-page");
    expect(page.code).toBe(3);
    expect(page.out).toMatch(/^T1: print-test-page refused: /);
    const nobody = await ask("T9", "report-status", "1");
    expect(nobody.code).toBe(1);
    expect(nobody.err).toMatch(/T9 did not answer within 1 s/);
    const terminals = await quan(["merchant", "terminals", "--config", config]);
    expect(terminals.out).toMatch(/^T1 +S001 +online +held through seq 1/m);
  });

  it("refuses a bad config and a list for another merchant, changing nothing", async () => {
    rig = new ShopRig();
    const bad = join(rig.root, "bad.json");
    writeFileSync(bad, JSON.stringify({ merchant: { id: "m/1" }, dataDir: "relative" }));
    const refused = await quan(["merchant", "export", "--config", bad]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/merchant\.id/);
    expect(refused.err).toMatch(/dataDir: must be an absolute path/);
    await rig.startBroker();
    const listFile = join(rig.root, "other.json");
    writeFileSync(listFile, JSON.stringify(demoList(Date.now(), 3, { merchant: "someone-else" })));
    const other = await quan([
      "merchant",
      "publish",
      "--config",
      rig.merchantConfigFile(),
      "--list",
      listFile,
    ]);
    expect(other.code).toBe(3);
    expect(other.err).toContain('the list is for merchant "someone-else"');
  });
});
