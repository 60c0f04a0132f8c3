import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, it } from "vitest";

/**
 * Tests that need a program only the system can provide (a Mosquitto broker, a PostgreSQL server)
 * start it themselves when it is installed. When it is not, the test is reported skipped with the
 * reason in one line, at once, never by waiting out a timeout; under CI (where `.ci/run` installs
 * every such tool) a missing tool is a failing test with the same reason.
 */

export type ToolNeed =
  | { kind: "run"; path: string }
  | { kind: "skip"; reason: string }
  | { kind: "fail"; reason: string };

/** Where `name` is installed on the PATH, or null. Looks at the file system only: no process is started. */
export function findTool(name: string, path = process.env.PATH ?? ""): string | null {
  if (!/^[\w.+-]+$/.test(name)) throw new Error(`not a command name: ${JSON.stringify(name)}`);
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory (or not executable there): try the next one
    }
  }
  return null;
}

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== "" && ci !== "0" && ci !== "false";
}

/** Whether a test needing `name` (for `purpose`, e.g. "the MQTT broker") runs, is skipped, or fails. */
export function needTool(name: string, purpose: string, env: NodeJS.ProcessEnv = process.env): ToolNeed {
  const path = findTool(name, env.PATH ?? "");
  if (path) return { kind: "run", path };
  return isCi(env)
    ? {
        kind: "fail",
        reason: `${name} (${purpose}) is not installed, and CI must run this test: .ci/run installs it`,
      }
    : { kind: "skip", reason: `${name} (${purpose}) is not installed` };
}

/**
 * A describe block that needs a system tool: its body gets the tool's path when it is installed;
 * otherwise the block holds one test, skipped with the reason (failing with it under CI).
 */
export function describeWithTool(
  name: string,
  purpose: string,
  title: string,
  body: (toolPath: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const need = needTool(name, purpose, env);
  describe(title, () => {
    if (need.kind === "run") body(need.path);
    else if (need.kind === "skip") it(`needs ${name}`, (ctx) => ctx.skip(need.reason));
    else
      it(`needs ${name}`, () => {
        throw new Error(need.reason);
      });
  });
}
