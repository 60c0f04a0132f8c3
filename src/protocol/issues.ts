import type { z } from "zod";

/** "terminal.id: expected 1-32 letters..." — the path of the bad field, then what was expected. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** "codes[3].campaign", or "(root)" for the whole document. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.length
    ? path
        .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
        .join(".")
        .replace(/\.\[/g, "[")
    : "(root)";
}
