import { beforeEach, describe, expect, it } from "vitest";
import { quan, type Workspace, workspace } from "../helpers/cli-harness.js";

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});

describe("quan config check and the environment", () => {
  it("a variable that is not a config override (QUAN_DEMO_DIR) breaks nothing", async () => {
    expect(await quan(["config", "check", ws.config], { QUAN_DEMO_DIR: "x" })).toMatchObject({ code: 0 });
    expect(await quan(["doctor", "--config", ws.config], { QUAN_DEMO_DIR: "x" })).toMatchObject({
      out: expect.stringMatching(/ok +config: terminal T01/),
    });
  });

  it("a bad override is blamed on its variable, not on the file", async () => {
    const r = await quan(["config", "check", ws.config], { QUAN_CLOCK__TOLERANCESECONDS: "60" });
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "QUAN_CLOCK__TOLERANCESECONDS: clock.toleranceseconds is not a setting (did you mean QUAN_CLOCK__TOLERANCE_SECONDS?)\n",
    );
    const started = await quan(
      ["coupons", "check", "--code", "X-1", "--amount", "1", "--config", ws.config],
      {
        QUAN_VOID__WINDOW_MINUTES: "forever",
      },
    );
    expect(started).toMatchObject({
      code: 2,
      err: expect.stringMatching(/QUAN_VOID__WINDOW_MINUTES \(void\.windowMinutes\): /),
    });
    expect(started.err).not.toMatch(/config\.json: void/);
  });
});
