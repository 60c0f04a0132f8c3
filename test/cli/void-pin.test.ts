import { beforeEach, describe, expect, it } from "vitest";
import { quan, signList, type Workspace, workspace } from "../helpers/cli-harness.js";
import { listDocument } from "../helpers/store-fixture.js";

const NOW = Date.parse("2026-03-04T04:00:00Z");
const MIN = 60_000;
let ws: Workspace;
let id: string;

beforeEach(async () => {
  ws = await workspace("2468");
  const codes = [{ code: "CASH-0001", campaign: "cash" }];
  const signed = await signList(
    ws,
    listDocument([{ id: "cash", name: "Cash", kind: "amount", amountOff: 1000 }], codes),
  );
  expect((await quan(["coupons", "import", signed, "--config", ws.config], {}, NOW)).code).toBe(0);
  const r = await quan(
    ["redeem", "--code", "CASH-0001", "--amount", "50", "--json", "--config", ws.config],
    {},
    NOW,
  );
  id = JSON.parse(r.out).redemption as string;
});

const voidWith = (pin: string, at: number) => quan(["void", id, "--pin", pin, "--config", ws.config], {}, at);

/** Three wrong PINs at `at`; returns the message of the lockout that follows. */
async function lockOut(at: number): Promise<string> {
  for (let i = 0; i < 2; i++) expect((await voidWith("0000", at)).err).toMatch(/attempts? left/);
  return (await voidWith("0000", at)).err;
}

describe("the manager PIN lockout escalates", () => {
  it("each further lockout doubles (5, 10, 20 min), kept across runs; the right PIN resets it", async () => {
    expect(await lockOut(NOW)).toMatch(/locked for 5 min/);
    expect(await lockOut(NOW + 6 * MIN)).toMatch(/locked for 10 min/);
    let t = NOW + 17 * MIN;
    expect(await lockOut(t)).toMatch(/locked for 20 min/);
    expect((await voidWith("2468", t + 19 * MIN)).err).toMatch(/locked for 1 min/);
    t += 21 * MIN;
    // The right PIN (the void window has passed by now, but the PIN was checked) resets the count.
    expect((await voidWith("2468", t)).err).toMatch(/window_passed/);
    expect(await lockOut(t)).toMatch(/locked for 5 min/);
  });

  it("never past 24 h", async () => {
    let t = NOW;
    let last = "";
    for (let round = 0; round < 11; round++) {
      last = await lockOut(t);
      const minutes = Number(/locked for (\d+) min/.exec(last)?.[1]);
      t += (minutes + 1) * MIN;
    }
    expect(last).toMatch(/locked for 1440 min/);
  });

  it("says '1 attempt left', '2 attempts left'", async () => {
    expect((await voidWith("0000", NOW)).err).toMatch(/\(2 attempts left\)/);
    expect((await voidWith("0000", NOW)).err).toMatch(/\(1 attempt left\)/);
  });
});

describe("the PIN from stdin", () => {
  it("without --pin, or with --pin -, the PIN is read from stdin (not in ps or the shell history)", async () => {
    const bad = await quan(["void", id, "--pin", "-", "--config", ws.config], {}, NOW, { stdin: "0000\n" });
    expect(bad).toMatchObject({ code: 3, err: expect.stringMatching(/wrong manager PIN/) });
    const ok = await quan(["void", id, "--config", ws.config], {}, NOW, { stdin: "2468\n" });
    expect(ok).toMatchObject({ code: 0, out: expect.stringMatching(/^voided /) });
    const none = await quan(["void", id, "--config", ws.config], {}, NOW, { stdin: "" });
    expect(none).toMatchObject({ code: 2, err: expect.stringMatching(/no manager PIN on stdin/) });
  });
});
