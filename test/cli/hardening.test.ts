import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { acquireDataDirLock } from "../../src/runtime/store/data-dir-lock.js";
import { quan, signList, type Workspace, workspace } from "../helpers/cli-harness.js";
import { listDocument } from "../helpers/store-fixture.js";
import { mountTmpfs, type Tmpfs } from "../helpers/tmpfs.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 100 }];
const codes = [{ code: "MANY", campaign: "cash", uses: 9999 }];
let ws: Workspace;
let signed: string;

beforeEach(async () => {
  ws = await workspace();
  signed = await signList(ws, listDocument(campaigns, codes));
});

describe("environment overrides", () => {
  it("refuse constructor, prototype and __proto__ segments, naming the variable", async () => {
    for (const name of ["QUAN_CONSTRUCTOR__PROTOTYPE__X", "QUAN_LOG__CONSTRUCTOR", "QUAN_PROTOTYPE"]) {
      const r = await quan(["config", "check", ws.config], { [name]: "1" });
      expect(r.code, name).toBe(2);
      expect(r.err, name).toMatch(new RegExp(`^${name}: `));
      expect(r.err).toMatch(/not a setting/);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("QUAN_ alone says what an override looks like", async () => {
    const r = await quan(["config", "check", ws.config], { QUAN_: "1" });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^QUAN_: not a config override: .*QUAN_<SECTION>__<FIELD>.*QUAN_TERMINAL__ID/);
  });
});

describe("a data directory in use", () => {
  it("exit 4 says to stop the service or pass --wait; doctor says the terminal is running", async () => {
    const lock = acquireDataDirLock(ws.data);
    try {
      const r = await quan(["redeem", "--code", "MANY", "--amount", "5", "--config", ws.config], {}, NOW);
      expect(r.code).toBe(4);
      expect(r.err).toMatch(/systemctl stop quan/);
      expect(r.err).toMatch(/--wait/);
      const imp = await quan(["coupons", "import", signed, "--config", ws.config], {}, NOW);
      expect(imp.code).toBe(4);
      expect(imp.err).toMatch(/systemctl stop quan/);
      const doctor = await quan(["doctor", "--config", ws.config], {}, NOW);
      expect(doctor.out).toMatch(
        new RegExp(`terminal: running \\(process ${process.pid} holds the data directory\\)`),
      );
    } finally {
      lock.release();
    }
    expect((await quan(["doctor", "--config", ws.config], {}, NOW)).out).toMatch(/terminal: not running/);
  });
});

describe("signed time statements", () => {
  it("every statement still valid is remembered, not only the last one", async () => {
    const sign = async (name: string) => {
      const file = join(ws.dir, name);
      await quan(["time", "sign", "--key", ws.key, "--merchant", "m-test", "--out", file], {}, NOW);
      return file;
    };
    const [a, b] = [await sign("a.json"), await sign("b.json")];
    const imp = (file: string) => quan(["time", "import", file, "--config", ws.config], {}, NOW + 60_000);
    expect((await imp(a)).code).toBe(0);
    expect((await imp(b)).code).toBe(0);
    expect(await imp(a)).toMatchObject({ code: 3, err: expect.stringMatching(/already imported/) });
  });
});

const mounted = mountTmpfs(1024);
const tmpfs = "dir" in mounted ? mounted : null;
afterAll(() => tmpfs?.unmount());

describe.skipIf(!tmpfs)("a small or full disk", () => {
  it("doctor warns under 50 MB free; a full disk is said in the technician's words", async () => {
    const disk = tmpfs as Tmpfs;
    const data = join(disk.dir, "data");
    const args = (...a: string[]) => [...a, "--config", ws.config, "--data", data];
    expect((await quan(args("coupons", "import", signed), {}, NOW)).code).toBe(0);
    const doctor = await quan(args("doctor"), {}, NOW);
    expect(doctor.out).toMatch(/WARN +disk: .*free.*less than 50 MB/);

    disk.fill();
    let last = { code: 0, err: "" };
    let committed = 0;
    for (let i = 0; i < 200 && last.code === 0; i++) {
      last = await quan(args("redeem", "--code", "MANY", "--amount", "5"), {}, NOW + i * 1000);
      if (last.code === 0) committed++;
    }
    disk.free();
    // What failed committed nothing: the journal holds exactly the redemptions that said so.
    const verify = await quan(args("journal", "verify"));
    expect(verify.out).toMatch(new RegExp(`: ${committed} records in 1 segment\\(s\\), hash chain intact`));
    expect(last.code).toBe(1);
    expect(last.err).toMatch(/the disk is full/);
    expect(last.err).not.toMatch(/ENOSPC: no space left on device, write/);
  });
});
