import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { changedConfig, quan, type Workspace, workspace } from "../helpers/cli-harness.js";

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});

describe("quan doctor", () => {
  it("names the receipts folder the terminal writes to, absolute or relative to the data dir", async () => {
    const absolute = changedConfig(ws, (c) => ({ ...c, printer: { kind: "file", dir: "/srv/receipts" } }));
    expect((await quan(["doctor", "--config", absolute])).out).toMatch(
      /ok +printer: receipts written to \/srv\/receipts( |\n)/,
    );
    const relative = changedConfig(ws, (c) => ({ ...c, printer: { kind: "file", dir: "slips" } }));
    expect((await quan(["doctor", "--config", relative])).out).toContain(
      `receipts written to ${join(ws.data, "slips")}`,
    );
  });

  it("a bad config: exit 2 and one problem per line, as `config check`", async () => {
    const bad = changedConfig(ws, (c) => ({
      ...c,
      terminal: { id: "T 1", store: "S1", storeName: "x" },
      printer: { paperWidth: 60 },
    }));
    const check = await quan(["config", "check", bad]);
    const doctor = await quan(["doctor", "--config", bad]);
    expect(check.code).toBe(2);
    expect(doctor.code).toBe(2);
    const problems = check.err.trim().split("\n");
    expect(problems).toHaveLength(2);
    for (const p of problems)
      expect(doctor.out).toMatch(new RegExp(`^FAIL +config: ${escapeRegExp(p)}$`, "m"));
  });
});

describe("config errors say what was expected", () => {
  it("a bad paperWidth", async () => {
    const bad = changedConfig(ws, (c) => ({ ...c, printer: { paperWidth: 60 } }));
    expect((await quan(["config", "check", bad])).err).toMatch(/printer\.paperWidth: expected 58 or 80\b/);
  });

  it("a bad version", async () => {
    const bad = changedConfig(ws, (c) => ({ ...c, version: 2 }));
    expect((await quan(["config", "check", bad])).err).toMatch(/version: expected 1\b/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
