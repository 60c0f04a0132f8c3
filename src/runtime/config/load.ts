import { readFileSync } from "node:fs";
import type { z } from "zod";
import { formatPath } from "../../protocol/issues.js";
import { type Config, configSchema } from "./schema.js";

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly file: string,
    /** "path: what was expected"; a problem from an override starts with its variable instead. */
    readonly problems: string[],
    /** Which problems come from environment overrides (they name their variable, not the file). */
    readonly fromEnvironment: readonly boolean[] = [],
  ) {
    super(
      `refusing to start because the configuration is not valid (${file}${fromEnvironment.some(Boolean) ? " and the environment" : ""}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }

  /** Each problem with where it comes from: `FILE: path: ...`, or `QUAN_VAR ...` for an override. */
  located(): string[] {
    return this.problems.map((p, i) => (this.fromEnvironment[i] ? p : `${this.file}: ${p}`));
  }
}

/** QUAN_ variables that are not config overrides: the config file's path, the demo, tests, benches. */
export function isConfigOverride(name: string): boolean {
  return (
    name.startsWith("QUAN_") &&
    name !== "QUAN_CONFIG" &&
    name !== "QUAN_DEMO_DIR" &&
    !name.startsWith("QUAN_TEST_") &&
    !name.startsWith("QUAN_BENCH_")
  );
}

/** Names that would reach an object's prototype, never settings. */
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * What is wrong with an override variable's name, naming the variable: a segment that is empty
 * (`QUAN_`, `QUAN_LOG____X`) or would reach an object's prototype (`QUAN_CONSTRUCTOR__PROTOTYPE__X`).
 */
export function overrideNameProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    if (!isConfigOverride(name)) continue;
    const path = overridePath(name);
    if (path.some((seg) => !/^[a-z][a-zA-Z0-9]*$/.test(seg)))
      problems.push(
        `${name}: not a config override: overrides look like QUAN_<SECTION>__<FIELD>, e.g. QUAN_TERMINAL__ID=T02`,
      );
    else if (path.some((seg) => UNSAFE_KEYS.has(seg)))
      problems.push(`${name}: ${path.join(".")} is not a setting`);
  }
  return problems;
}

/** QUAN_CLOCK__TOLERANCE_SECONDS -> ["clock", "toleranceSeconds"] */
function overridePath(name: string): string[] {
  return name
    .slice(5)
    .split("__")
    .map((seg) => seg.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
}

/** ["clock", "toleranceSeconds"] -> QUAN_CLOCK__TOLERANCE_SECONDS */
function overrideName(path: readonly PropertyKey[]): string {
  return `QUAN_${path
    .map((seg) =>
      String(seg)
        .replace(/([A-Z])/g, "_$1")
        .toUpperCase(),
    )
    .join("__")}`;
}

/** The override variables in `env`, by the config path each sets ("clock.toleranceSeconds"). */
export function overrideVariables(env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, raw] of Object.entries(env))
    if (isConfigOverride(name) && raw !== undefined) out.set(overridePath(name).join("."), name);
  return out;
}

/**
 * Environment overrides: QUAN_<SECTION>__<FIELD>=value, e.g. QUAN_TERMINAL__ID=T02,
 * QUAN_LOG__LEVEL=debug, QUAN_DATA_DIR=/tmp/q. Values are parsed as JSON when they look like it.
 */
export function environmentOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!isConfigOverride(name) || raw === undefined) continue;
    const path = overridePath(name);
    // Refused by overrideNameProblems; never followed into a prototype.
    if (path.some((seg) => seg === "" || UNSAFE_KEYS.has(seg))) continue;
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
  for (const [k, v] of Object.entries(over)) {
    // An own "__proto__" (JSON.parse makes one) stays a plain key, which the schema then refuses.
    const merged = deepMerge(Object.hasOwn(base, k) ? base[k] : undefined, v);
    Object.defineProperty(out, k, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validates raw config data (file contents merged with overrides). Throws ConfigError naming each
 * bad field by its path, or by its variable when an override set it (`variables`, from
 * overrideVariables), with a "did you mean" for a misspelt key.
 */
export function parseConfig(data: unknown, source: string, variables = new Map<string, string>()): Config {
  const result = configSchema.safeParse(data);
  if (result.success) return result.data;
  const problems: string[] = [];
  const fromEnvironment: boolean[] = [];
  for (const issue of result.error.issues) {
    // One problem per unknown key, each with its own path (and maybe its own variable).
    const each =
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({
            path: [...issue.path, key],
            unknown: key as string | undefined,
            message: "",
          }))
        : [{ path: issue.path, unknown: undefined, message: issue.message }];
    for (const { path, unknown, message } of each) {
      const variable = variableFor(path, variables);
      const siblings = unknown === undefined ? [] : keysAt(path.slice(0, -1));
      const near = unknown === undefined ? undefined : nearestKey(unknown, siblings);
      let text: string;
      if (unknown !== undefined && siblings.includes(unknown))
        text = `${variable ?? formatPath(path)}: not a setting of ${ofKind(data, path.slice(0, -1))}`;
      else if (variable === undefined)
        text = `${formatPath(path)}: ${unknown === undefined ? message : `unknown setting${near ? ` (did you mean ${near}?)` : ""}`}`;
      else if (unknown === undefined) text = `${variable} (${formatPath(path)}): ${message}`;
      else
        text = `${variable}: ${formatPath(path)} is not a setting${near ? ` (did you mean ${overrideName([...path.slice(0, -1), near])}?)` : ""}`;
      problems.push(text);
      fromEnvironment.push(variable !== undefined);
    }
  }
  throw new ConfigError(source, problems, fromEnvironment);
}

/** The override variable that set `path` or a section containing it. */
function variableFor(path: readonly PropertyKey[], variables: Map<string, string>): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const name = variables.get(path.slice(0, n).map(String).join("."));
    if (name) return name;
  }
  return undefined;
}

/**
 * A key of one kind of a discriminated section used in another (a tcp printer's `dir`): names the
 * kind it was given, e.g. `a printer of kind "tcp"`.
 */
function ofKind(data: unknown, section: readonly PropertyKey[]): string {
  const discriminator = discriminatorAt(section);
  let value: unknown = data;
  for (const seg of section) value = isPlainObject(value) ? value[String(seg)] : undefined;
  const kind = discriminator && isPlainObject(value) ? value[discriminator] : undefined;
  const what = String(section.at(-1) ?? "section");
  return kind === undefined
    ? `this kind of ${what}`
    : `a ${what} of ${discriminator} ${JSON.stringify(kind)}`;
}

/** The discriminator of the discriminated union the schema has at a path, if it has one there. */
function discriminatorAt(path: readonly PropertyKey[]): string | undefined {
  let level: z.core.$ZodType[] = [configSchema];
  for (const seg of path)
    level = level.flatMap(objectsIn).flatMap((o) => {
      const next = o._zod.def.shape[String(seg)];
      return next ? [next] : [];
    });
  for (let schema of level) {
    let def = schema._zod.def as { innerType?: z.core.$ZodType; discriminator?: string };
    while (def.innerType) {
      schema = def.innerType;
      def = schema._zod.def as typeof def;
    }
    if (def.discriminator) return def.discriminator;
  }
  return undefined;
}

/** The keys the schema allows at a path (an object, or any option of a union there). */
function keysAt(path: readonly PropertyKey[]): string[] {
  let level: z.core.$ZodType[] = [configSchema];
  for (const seg of [...path, null]) {
    const objects = level.flatMap(objectsIn);
    if (seg === null) return objects.flatMap((o) => Object.keys(o._zod.def.shape));
    level = objects.flatMap((o) => {
      const next = o._zod.def.shape[String(seg)];
      return next ? [next] : [];
    });
  }
  return [];
}

/** The object schemas a schema stands for, through defaults, optionals and unions. */
function objectsIn(schema: z.core.$ZodType): z.core.$ZodObject[] {
  const def = schema._zod.def as { type: string; innerType?: z.core.$ZodType; options?: z.core.$ZodType[] };
  if (def.type === "object") return [schema as z.core.$ZodObject];
  if (def.innerType) return objectsIn(def.innerType);
  if (def.options) return def.options.flatMap(objectsIn);
  return [];
}

/** A known key that a misspelt one was probably meant to be (case and a typo or two apart). */
function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d <= (key.length >= 6 ? 2 : 1) && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length] as number;
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
  const badNames = overrideNameProblems(env);
  if (badNames.length)
    throw new ConfigError(
      file,
      badNames,
      badNames.map(() => true),
    );
  return parseConfig(deepMerge(data, environmentOverrides(env)), file, overrideVariables(env));
}
