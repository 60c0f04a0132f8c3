import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { findTool, needTool } from "./system-tool.js";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURE_CONFIG = join(import.meta.dirname, "fixtures/system-tool/vitest.config.ts");

/** Runs the fixture that needs a tool no machine has, in a vitest of its own, as `npm test` would. */
function runFixture(ci: string | undefined): Promise<{ code: number; out: string; ms: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
  for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
  delete env.CI;
  if (ci !== undefined) env.CI = ci;
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", FIXTURE_CONFIG],
      { cwd: ROOT, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        done({ code, out: stdout + stderr, ms: Date.now() - started });
      },
    );
  });
}

describe("tests that need a system tool", () => {
  it("find an installed tool on the PATH, and a missing one at once without starting anything", () => {
    expect(findTool("sh")).toMatch(/\/sh$/);
    const started = Date.now();
    expect(findTool("quan-no-such-tool")).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(needTool("quan-no-such-tool", "a server", { PATH: process.env.PATH })).toEqual({
      kind: "skip",
      reason: "quan-no-such-tool (a server) is not installed",
    });
    expect(needTool("quan-no-such-tool", "a server", { PATH: process.env.PATH, CI: "true" })).toMatchObject({
      kind: "fail",
    });
    expect(needTool("sh", "a shell", { PATH: process.env.PATH, CI: "true" })).toMatchObject({ kind: "run" });
  });

  it("are reported skipped with the reason in one line when the tool is missing, and pass the run", async () => {
    const run = await runFixture(undefined);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/Tests +1 skipped \(1\)/);
    expect(run.out).toContain(
      "skipped: needs-missing-tool.fixture.ts > a test that needs a missing tool > needs quan-no-such-tool: " +
        "quan-no-such-tool (a server no machine has) is not installed\n",
    );
    expect(run.ms).toBeLessThan(20_000);
  });

  it("fail under CI=true with the same reason, fast, not by a timeout", async () => {
    const run = await runFixture("true");
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/Tests +1 failed \(1\)/);
    expect(run.out).toContain(
      "quan-no-such-tool (a server no machine has) is not installed, and CI must run this test: .ci/run installs it",
    );
    expect(run.out).not.toMatch(/timed out/i);
    expect(run.ms).toBeLessThan(20_000);
  });
});
