import { scryptSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  deepMerge,
  environmentOverrides,
  loadConfigFile,
  parseConfig,
} from "../../../src/runtime/config/load.js";
import { hashPin, verifyPin } from "../../../src/runtime/config/pin.js";
import { configJsonSchema } from "../../../src/runtime/config/schema.js";

const minimal = {
  terminal: { id: "T01", store: "S001", storeName: "小店" },
  merchant: { id: "m-001", publicKey: "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" },
};

const problems = (data: unknown) => {
  try {
    parseConfig(data, "test.json");
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

/** The minimal config from a file, with these environment variables set. */
function loadConfigFileFrom(env: Record<string, string>) {
  const file = join(mkdtempSync(join(tmpdir(), "quan-config-")), "config.json");
  writeFileSync(file, JSON.stringify(minimal));
  return loadConfigFile(file, env);
}

describe("configuration", () => {
  it("fills every default from the schema", () => {
    const c = parseConfig(minimal, "test.json");
    expect(c).toMatchObject({
      locale: "zh-CN",
      dataDir: "/var/lib/quan",
      clock: { toleranceSeconds: 300 },
      void: { windowMinutes: 30 },
      flow: { inactivitySeconds: 60, doubleScanMs: 1500 },
      printer: { kind: "file", paperWidth: 80, qr: "raster" },
      terminal: { cashier: "cashier" },
    });
  });

  it("reports the path of each bad field and what was expected", () => {
    const found = problems({
      ...minimal,
      terminal: { ...minimal.terminal, id: "bad id!" },
      merchant: { id: "m", publicKey: "abc" },
      printer: { paperWidth: 57 },
      locale: "fr",
      extra: 1,
    });
    expect(found.join("\n")).toMatch(/^terminal\.id: 1-32 letters, digits, _ or -$/m);
    expect(found.join("\n")).toMatch(/^merchant\.publicKey: expected the merchant's Ed25519 public key/m);
    expect(found.join("\n")).toMatch(/^printer\.paperWidth: /m);
    expect(found.join("\n")).toMatch(/^locale: /m);
    expect(found.join("\n")).toMatch(/extra/);
  });

  it("a missing section is named", () => {
    expect(problems({ terminal: minimal.terminal })).toEqual([expect.stringMatching(/^merchant: /)]);
  });

  it("a device printer needs its path", () => {
    expect(problems({ ...minimal, printer: { kind: "device" } })).toEqual([
      expect.stringMatching(/^printer\.path: a device printer/),
    ]);
  });

  it("a network printer needs its host", () => {
    expect(problems({ ...minimal, printer: { kind: "tcp" } })).toEqual([
      expect.stringMatching(/^printer\.host: a network printer \(kind tcp\) needs its host$/),
    ]);
    expect(
      parseConfig({ ...minimal, printer: { kind: "tcp", host: "192.0.2.10" } }, "t").printer,
    ).toMatchObject({ port: 9100 });
  });

  it("each printer kind takes only its own settings", () => {
    const printer = (p: unknown) => parseConfig({ ...minimal, printer: p }, "t").printer;
    expect(printer({ dir: "slips" })).toEqual({ kind: "file", dir: "slips", paperWidth: 80, qr: "raster" });
    expect(printer({ kind: "tcp", host: "192.0.2.10" })).toEqual({
      kind: "tcp",
      host: "192.0.2.10",
      port: 9100,
      paperWidth: 80,
      qr: "raster",
    });
    expect(printer({ kind: "device", path: "/dev/usb/lp0", paperWidth: 58 })).toEqual({
      kind: "device",
      path: "/dev/usb/lp0",
      paperWidth: 58,
      qr: "raster",
    });
    expect(printer({ kind: "none" })).toEqual({ kind: "none" });
    expect(problems({ ...minimal, printer: { kind: "tcp", host: "192.0.2.10", dir: "slips" } })).toEqual([
      'printer.dir: not a setting of a printer of kind "tcp"',
    ]);
    expect(problems({ ...minimal, printer: { kind: "none", paperWidth: 58 } })).toEqual([
      'printer.paperWidth: not a setting of a printer of kind "none"',
    ]);
    expect(problems({ ...minimal, printer: { kind: "file", path: "/dev/usb/lp0" } })).toEqual([
      'printer.path: not a setting of a printer of kind "file"',
    ]);
    expect(problems({ ...minimal, printer: { kind: "usb" } })).toEqual([
      'printer.kind: expected "file", "device", "tcp" or "none"',
    ]);
  });

  it("the JSON Schema gives each printer kind its own strict set of fields", () => {
    const schema = configJsonSchema() as {
      properties: {
        printer: { oneOf?: { properties: Record<string, unknown>; additionalProperties: boolean }[] };
      };
    };
    const kinds = schema.properties.printer.oneOf ?? [];
    expect(kinds.map((k) => Object.keys(k.properties).sort())).toEqual([
      ["dir", "kind", "paperWidth", "qr"],
      ["kind", "paperWidth", "path", "qr"],
      ["host", "kind", "paperWidth", "port", "qr"],
      ["kind"],
    ]);
    expect(kinds.every((k) => k.additionalProperties === false)).toBe(true);
  });

  it("refuses a plain PIN where a hash belongs", () => {
    expect(problems({ ...minimal, void: { managerPin: "1234" } })).toEqual([
      expect.stringMatching(/^void\.managerPin: this is a PIN, not a PIN hash: run `quan pin hash PIN`/),
    ]);
  });

  it("environment overrides reach nested fields, typed", () => {
    const env = {
      QUAN_TERMINAL__ID: "T02",
      QUAN_CLOCK__TOLERANCE_SECONDS: "60",
      QUAN_DATA_DIR: "/tmp/q",
      HOME: "/root",
    };
    const c = parseConfig(deepMerge(minimal, environmentOverrides(env)), "test.json");
    expect(c.terminal).toMatchObject({ id: "T02", store: "S001" });
    expect(c.clock.toleranceSeconds).toBe(60);
    expect(c.dataDir).toBe("/tmp/q");
  });

  it("every level is strict: an unknown nested key is named by its path, with a near miss", () => {
    const found = problems({
      ...minimal,
      clock: { toleranceSecond: 60 },
      void: { managerPIN: "x" },
      display: { colour: false },
      keypad: { kind: "hid", path: "/dev/quan-keypad", baud: 9600 },
      printer: { kind: "file", papeWidth: 58 },
      terminal: { ...minimal.terminal, nmae: "x" },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        "clock.toleranceSecond: unknown setting (did you mean toleranceSeconds?)",
        "void.managerPIN: unknown setting (did you mean managerPin?)",
        "display.colour: unknown setting (did you mean color?)",
        "keypad.baud: unknown setting",
        "printer.papeWidth: unknown setting (did you mean paperWidth?)",
        "terminal.nmae: unknown setting",
      ]),
    );
  });

  it("an override from the environment is named by its variable, with a near miss", () => {
    const fromEnv = (env: Record<string, string>) => {
      try {
        loadConfigFileFrom(env);
        return [];
      } catch (err) {
        if (err instanceof ConfigError) return err.located();
        throw err;
      }
    };
    expect(fromEnv({ QUAN_CLOCK__TOLERANCESECONDS: "60" })).toEqual([
      "QUAN_CLOCK__TOLERANCESECONDS: clock.toleranceseconds is not a setting (did you mean QUAN_CLOCK__TOLERANCE_SECONDS?)",
    ]);
    expect(fromEnv({ QUAN_CLOCK__TOLERANCE_SECONDS: "soon" })).toEqual([
      expect.stringMatching(/^QUAN_CLOCK__TOLERANCE_SECONDS \(clock\.toleranceSeconds\): .*number/),
    ]);
    expect(fromEnv({ QUAN_TERMINAL__ID: "bad id!", QUAN_LOG__LEVEL: "debug" })).toEqual([
      "QUAN_TERMINAL__ID (terminal.id): 1-32 letters, digits, _ or -",
    ]);
  });

  it("variables that are not overrides are left alone", () => {
    const env = {
      QUAN_DEMO_DIR: "x",
      QUAN_CONFIG: "/etc/quan/config.json",
      QUAN_TEST_NO_BUILD: "1",
      QUAN_BENCH_CODES: "5",
    };
    expect(environmentOverrides(env)).toEqual({});
    expect(() => loadConfigFileFrom(env)).not.toThrow();
  });

  it("the committed JSON Schema for editors is the one the schema generates", () => {
    const committed = JSON.parse(readFileSync("config/quan.schema.json", "utf8"));
    expect(committed).toEqual(configJsonSchema());
  });

  it("the example config is valid but for the manager PIN, which it tells the technician to set", () => {
    const found = problems(JSON.parse(readFileSync("config/example.json", "utf8")));
    expect(found).toEqual([expect.stringMatching(/^void\.managerPin: .*`quan pin hash/)]);
  });
});

describe("manager PIN", () => {
  it("verifies the right PIN only, and never stores it", () => {
    const hash = hashPin("2468");
    expect(hash).not.toContain("2468");
    expect(verifyPin("2468", hash)).toBe(true);
    expect(verifyPin("2469", hash)).toBe(false);
    expect(problems({ ...minimal, void: { managerPin: hash } })).toEqual([]);
  });

  it("still verifies a hash in the first format (scrypt$salt$key, Node's default cost)", () => {
    const salt = Buffer.alloc(16, 7);
    const key = scryptSync("2468", salt, 32);
    const legacy = `scrypt$${salt.toString("base64")}$${key.toString("base64")}`;
    expect(problems({ ...minimal, void: { managerPin: legacy } })).toEqual([]);
    expect(verifyPin("2468", legacy)).toBe(true);
    expect(verifyPin("1234", legacy)).toBe(false);
  });

  const salt16 = Buffer.alloc(16, 1).toString("base64");
  const key32 = Buffer.alloc(32, 2).toString("base64");
  const degenerate: [string, string, RegExp][] = [
    ["a 3-byte salt and an empty key", "scrypt$AAAA$=", /salt/],
    ["a short key", `scrypt$${salt16}$${Buffer.alloc(4).toString("base64")}`, /key/],
    ["a short salt", `scrypt$${Buffer.alloc(8).toString("base64")}$${key32}`, /salt/],
    ["text that is not base64", `scrypt$${salt16}$REPLACE/WITH/OUTPUT/OF/quan/pin/hash=`, /base64/],
    ["a cost too low", `scrypt$N=1024,r=8,p=1$${salt16}$${key32}`, /N/],
    ["a cost that is no power of two", `scrypt$N=20000,r=8,p=1$${salt16}$${key32}`, /N/],
    ["r out of bounds", `scrypt$N=16384,r=1,p=1$${salt16}$${key32}`, /\br\b/],
    ["p out of bounds", `scrypt$N=16384,r=8,p=99$${salt16}$${key32}`, /\bp\b/],
    ["another scheme", `bcrypt$${salt16}$${key32}`, /scrypt/],
    ["the PIN itself", "2468", /never the PIN itself/],
    // 2.6 s and 256 MiB per verify here, seconds more on a Pi, with the screen frozen meanwhile.
    ["the costliest cost", `scrypt$N=131072,r=16,p=4$${salt16}$${key32}`, /too costly to verify/],
    ["twice the default cost in r and p", `scrypt$N=32768,r=16,p=1$${salt16}$${key32}`, /too costly/],
    ["N=2^30", `scrypt$N=1073741824,r=8,p=1$${salt16}$${key32}`, /N=1073741824,r=8,p=1 is too costly/],
    [
      "a trailing space",
      `scrypt$N=16384,r=8,p=1$${salt16}$${key32} `,
      /space or line break at its start or end: remove it/,
    ],
  ];
  it("accepts up to twice the default cost, which a Pi verifies in well under a second", () => {
    for (const cost of ["N=32768,r=8,p=1", "N=16384,r=16,p=1", "N=16384,r=8,p=2"]) {
      const value = `scrypt$${cost}$${salt16}$${key32}`;
      expect(problems({ ...minimal, void: { managerPin: value } }), cost).toEqual([]);
    }
  });
  for (const [what, value, says] of degenerate) {
    it(`refuses ${what}, in config check and when verifying`, () => {
      const found = problems({ ...minimal, void: { managerPin: value } });
      expect(found).toEqual([expect.stringMatching(/^void\.managerPin: /)]);
      expect(found[0]).toMatch(says);
      if (what !== "the PIN itself") expect(found[0]).not.toMatch(/never the PIN itself/);
      for (const pin of ["0000", "2468", "1234"]) expect(() => verifyPin(pin, value)).toThrow(/PIN hash/);
    });
  }
});

describe("keymap overrides", () => {
  it("name an unknown key or action by path", () => {
    const found = problems({ ...minimal, flow: { keymap: { F13: "confirm", "+": "launch" } } });
    expect(found.join("\n")).toMatch(/flow\.keymap/);
    expect(found.join("\n")).toMatch(/launch|F13/);
  });
  it("accept a remapped key", () => {
    expect(
      parseConfig({ ...minimal, flow: { keymap: { "+": "manual", "/": "member" } } }, "t").flow.keymap,
    ).toEqual({ "+": "manual", "/": "member" });
  });
});

describe("HID devices", () => {
  it("need the console input off, or every key would count twice", () => {
    expect(problems({ ...minimal, keypad: { kind: "hid", path: "/dev/quan-keypad" } })).toEqual([
      expect.stringMatching(/^input\.kind: must be "none" with a HID keypad or scanner/),
    ]);
    const c = parseConfig(
      {
        ...minimal,
        input: { kind: "none" },
        keypad: { kind: "hid", path: "/dev/quan-keypad" },
        scanner: { kind: "hid", path: "/dev/quan-scanner" },
      },
      "t",
    );
    expect(c.keypad).toEqual({ kind: "hid", path: "/dev/quan-keypad" });
  });
});
