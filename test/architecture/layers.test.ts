import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { KNOWN_VIOLATIONS, LAYERS, type Layer, PURE_MODULES } from "./layers.js";
import { importsOf, type SourceImport, sourceFiles } from "./source-imports.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function layerOf(file: string): Layer | undefined {
  return LAYERS.find((layer) => layer.paths.some((p) => (p.endsWith("/") ? file.startsWith(p) : file === p)));
}

/** Why `imp` breaks the layering, or null when it runs downward. */
function violation(imp: SourceImport): string | null {
  const from = layerOf(imp.from);
  const to = layerOf(imp.to);
  if (!from || !to) return `${imp.to} is in no layer`;
  if (LAYERS.indexOf(to) < LAYERS.indexOf(from)) return `${from.name} may not import ${to.name} (above it)`;
  if (from.never?.includes(to.name)) return `${from.name} may not import ${to.name}`;
  return null;
}

function allImports(): SourceImport[] {
  return sourceFiles(ROOT, "src").flatMap((file) => importsOf(ROOT, file));
}

describe("imports run downward only", () => {
  const imports = allImports();
  const violations = new Map<string, string>();
  for (const imp of imports.filter((i) => i.local)) {
    const why = violation(imp);
    if (why) violations.set(`${imp.from} -> ${imp.to}`, why);
  }

  it("names only layers that exist", () => {
    const names = LAYERS.map((layer) => layer.name);
    expect(LAYERS.flatMap((layer) => layer.never ?? []).filter((name) => !names.includes(name))).toEqual([]);
  });

  it("places every source file in a layer", () => {
    const unplaced = sourceFiles(ROOT, "src").filter((file) => !layerOf(file));
    expect(unplaced, "add the folder to test/architecture/layers.ts and README's layout").toEqual([]);
  });

  it("finds no import up the layers beyond the known ones", () => {
    const fresh = [...violations].filter(([pair]) => !KNOWN_VIOLATIONS.includes(pair));
    expect(fresh.map(([pair, why]) => `${pair}: ${why}`)).toEqual([]);
  });

  it("lists only known violations that still happen, so the list can only shrink", () => {
    const gone = KNOWN_VIOLATIONS.filter((pair) => !violations.has(pair));
    expect(gone, "delete these from KNOWN_VIOLATIONS").toEqual([]);
  });

  it("keeps the pure layers free of I/O (no fs, net, child_process, logger, store packages)", () => {
    const impure = imports
      .filter((i) => !i.local && layerOf(i.from)?.pure && !PURE_MODULES.has(i.to))
      .map((i) => `${i.from} -> ${i.to}`);
    expect(impure).toEqual([]);
  });

  it("sees the imports the layering depends on", () => {
    // If the reader missed imports, every rule above would pass on nothing.
    const files = sourceFiles(ROOT, "src");
    const withImports = files.filter((file) => /^import /m.test(readFileSync(join(ROOT, file), "utf8")));
    const unread = withImports.filter((file) => !imports.some((i) => i.from === file));
    expect(unread).toEqual([]);
    expect(imports.filter((i) => i.local).length).toBeGreaterThan(files.length);
  });
});

describe("the import reader", () => {
  it("reads static, multi-line, type-only, re-exported and dynamic imports, and skips comments", () => {
    const root = mkdtempSync(join(tmpdir(), "quan-imports-"));
    try {
      mkdirSync(join(root, "src/a"), { recursive: true });
      writeFileSync(
        join(root, "src/a/x.ts"),
        [
          'import { readFileSync } from "node:fs";',
          "import {",
          "  type One,",
          "  two,",
          '} from "../b/multi.js";',
          'import type { T } from "./types.js";',
          'export { y } from "../c/re-export.js";',
          'export * from "./star.js";',
          'import "./side-effect.js";',
          "/**",
          ' * import { example } from "../doc/example.js";',
          " */",
          '// const late = await import("../commented/out.js");',
          'const lazy = async () => (await import("../d/lazy.js")).lazy;',
          'const s = Array.from("not an import");',
        ].join("\n"),
      );
      expect(importsOf(root, "src/a/x.ts").map((i) => i.to)).toEqual([
        "node:fs",
        "src/b/multi.ts",
        "src/a/types.ts",
        "src/c/re-export.ts",
        "src/a/star.ts",
        "src/a/side-effect.ts",
        "src/d/lazy.ts",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
