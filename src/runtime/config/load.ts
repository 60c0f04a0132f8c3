import { readFileSync } from "node:fs";
import type { z } from "zod";
import { type Config, configSchema } from "./schema.js";

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(
      `refusing to start because the configuration is not valid (${file}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

/** "terminal.id: expected 1-32 letters..." — the path of the bad field, then what was expected. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const path = i.path.length
      ? i.path
          .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
          .join(".")
          .replace(/\.\[/g, "[")
      : "(root)";
    return `${path}: ${i.message}`;
  });
}

/**
 * Environment overrides: QUAN_<SECTION>__<FIELD>=value, e.g. QUAN_TERMINAL__ID=T02,
 * QUAN_LOG__LEVEL=debug, QUAN_DATA_DIR=/tmp/q. Values are parsed as JSON when they look like it.
 */
export function environmentOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith("QUAN_") || raw === undefined || name === "QUAN_CONFIG") continue;
    const path = name
      .slice(5)
      .split("__")
      .map((seg) => seg.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
    let target = out;
    for (const seg of path.slice(0, -1)) {
      const next = target[seg];
      if (typeof next !== "object" || next === null) target[seg] = {};
      target = target[seg] as Record<string, unknown>;
    }
    target[path[path.length - 1] as string] = parseEnvValue(raw);
  }
  return out;
}

function parseEnvValue(raw: string): unknown {
  if (/^(true|false|null|-?\d+(\.\d+)?)$/.test(raw) || /^[[{"]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw; // not JSON after all: keep the text, the schema will say if a string is wrong here
    }
  }
  return raw;
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Validates raw config data (file contents merged with overrides). Throws ConfigError. */
export function parseConfig(data: unknown, source: string): Config {
  const result = configSchema.safeParse(data);
  if (!result.success) throw new ConfigError(source, formatIssues(result.error.issues));
  return result.data;
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = {}): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  return parseConfig(deepMerge(data, environmentOverrides(env)), file);
}
