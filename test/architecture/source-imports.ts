import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";

/** One import in a source file: a file of the repository (`src/...`) or a package / node builtin. */
export interface SourceImport {
  /** The importing file, relative to the repository root with "/" separators. */
  from: string;
  /** `src/...ts` for a relative import, else the specifier as written ("node:fs", "zod"). */
  to: string;
  local: boolean;
}

/**
 * Static imports and re-exports start a line (the formatter puts them there, so a JSDoc example,
 * whose lines start with " *", is not one); `[^;]*?` lets them span lines up to their `from`.
 */
const STATIC = /^(?:import|export)\b[^;]*?\bfrom\s*(["'])([^"']+)\1/gm;
const SIDE_EFFECT = /^import\s*(["'])([^"']+)\1/gm;
const DYNAMIC = /\bimport\s*\(\s*(["'])([^"']+)\1\s*\)/g;
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*)/;

/** Every .ts (or other `extensions`) file under `dir`, relative to `root`. */
export function sourceFiles(root: string, dir: string, extensions = [".ts"]): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (extensions.some((ext) => entry.name.endsWith(ext)))
        out.push(relative(root, path).split("\\").join("/"));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/** Imports, re-exports, type-only imports and dynamic `import("...")` of one file (not in comments). */
export function importsOf(root: string, file: string): SourceImport[] {
  const code = readFileSync(join(root, file), "utf8");
  const specifiers = new Set<string>();
  for (const pattern of [STATIC, SIDE_EFFECT]) {
    for (const match of code.matchAll(pattern)) specifiers.add(match[2] as string);
  }
  for (const line of code.split("\n")) {
    if (COMMENT_LINE.test(line)) continue;
    for (const match of line.matchAll(DYNAMIC)) specifiers.add(match[2] as string);
  }
  return [...specifiers].map((spec) => {
    if (!spec.startsWith(".")) return { from: file, to: spec, local: false };
    const target = posix.normalize(posix.join(dirname(file).split("\\").join("/"), spec));
    return { from: file, to: target.replace(/\.js$/, ".ts"), local: true };
  });
}
