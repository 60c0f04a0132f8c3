import { execFileSync } from "node:child_process";

// Tests that spawn `quan` as a real process (crash tests, the demo in a pseudo-terminal) run the
// compiled CLI, so build it once before any test starts. QUAN_TEST_NO_BUILD=1 skips it while
// iterating on tests that spawn nothing.
export default function setup(): void {
  if (process.env.QUAN_TEST_NO_BUILD === "1") return;
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
