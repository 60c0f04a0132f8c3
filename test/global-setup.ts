import { execFileSync } from "node:child_process";

// Tests that spawn `quan` as a real process (crash tests, the demo in a pseudo-terminal) run the
// compiled CLI, so build it once before any test starts.
export default function setup(): void {
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
