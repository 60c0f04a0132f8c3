import { relative } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { changedConfig, quan, type Workspace, workspace } from "../helpers/cli-harness.js";

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});

describe("dataDir in the config", () => {
  it("must be absolute: a relative one would give each working directory its own journal", async () => {
    const file = changedConfig(ws, (c) => ({ ...c, dataDir: "data" }));
    const check = await quan(["config", "check", file]);
    expect(check.code).toBe(2);
    expect(check.err).toMatch(/dataDir: .*absolute path.*\/var\/lib\/quan/);
    // Nothing opens a store from it either.
    const redeem = await quan(["redeem", "--code", "X-1", "--amount", "1", "--config", file]);
    expect(redeem.code).toBe(2);
    expect(redeem.err).toMatch(/dataDir/);
    // The environment override is held to the same rule and named.
    const env = await quan(["config", "check", ws.config], { QUAN_DATA_DIR: "./here" });
    expect(env).toMatchObject({
      code: 2,
      err: expect.stringMatching(/QUAN_DATA_DIR \(dataDir\): .*absolute/),
    });
  });

  it("--data on the command line is relative to the current directory, as usual", async () => {
    const rel = relative(process.cwd(), ws.data);
    const r = await quan(["doctor", "--config", ws.config, "--data", rel]);
    expect(r.out).toContain(`data directory: ${ws.data} is writable`);
  });
});

describe("printer.dir", () => {
  it("may not climb out of the data directory with ..; absolute or inside it is fine", async () => {
    for (const dir of ["../../etc/cron.d", "slips/../../x", ".."]) {
      const file = changedConfig(ws, (c) => ({ ...c, printer: { kind: "file", dir } }));
      const r = await quan(["config", "check", file]);
      expect(r.code, dir).toBe(2);
      expect(r.err).toMatch(/printer\.dir: .*inside dataDir/);
    }
    for (const dir of ["slips", "a/../slips", "/srv/receipts"]) {
      const file = changedConfig(ws, (c) => ({ ...c, printer: { kind: "file", dir } }));
      expect((await quan(["config", "check", file])).code, dir).toBe(0);
    }
  });
});
