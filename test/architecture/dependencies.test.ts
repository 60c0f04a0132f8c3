import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importsOf, sourceFiles } from "./source-imports.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

interface PackageJson {
  scripts?: Record<string, string>;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as PackageJson;

/** "@scope/name/sub" -> "@scope/name", "name/sub" -> "name". */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

/** The commands a package puts on PATH, from its installed package.json. */
function binsOf(name: string): string[] {
  const manifest = join(ROOT, "node_modules", name, "package.json");
  if (!existsSync(manifest)) return [];
  const { bin } = readJson(manifest);
  if (typeof bin === "string") return [name.split("/").at(-1) as string];
  return Object.keys(bin ?? {});
}

describe("declared dependencies", () => {
  it("are each imported by the code, the tests or the bench, typed a used package, or run by a script", () => {
    const pkg = readJson(join(ROOT, "package.json"));
    const files = [
      ...["src", "test", "bench"].flatMap((dir) => sourceFiles(ROOT, dir)),
      ...sourceFiles(ROOT, "bin", [".js"]),
      "vitest.config.ts",
    ];
    const imported = new Set(
      files.flatMap((file) => importsOf(ROOT, file).filter((i) => !i.local)).map((i) => packageOf(i.to)),
    );
    const scripts = Object.values(pkg.scripts ?? {}).join(" && ");
    const runs = (bin: string) => new RegExp(`(^|[\\s&;|])(npx\\s+)?${bin}(\\s|$)`).test(scripts);
    const used = (name: string): boolean => {
      if (imported.has(name)) return true;
      if (name.startsWith("@types/")) {
        const typed = name.slice("@types/".length);
        return typed === "node" ? [...imported].some((i) => i.startsWith("node:")) : used(typed);
      }
      return binsOf(name).some(runs);
    };
    const declared = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
    expect(declared.filter((name) => !used(name))).toEqual([]);
  });
});
