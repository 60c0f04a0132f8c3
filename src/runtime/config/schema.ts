import { isAbsolute, normalize } from "node:path";
import { z } from "zod";
import { TOPIC_ID } from "../../protocol/mqtt/address.js";
import { ACTIONS, PHYSICAL_KEYS } from "./keypad-keys.js";
import { PIN_HASH_PATTERN, PinHashError, parsePinHash, pinHashShapeProblem } from "./pin.js";

/**
 * The one configuration schema: the TypeScript types, the defaults, the JSON Schema for editors
 * (`quan config schema`, committed as config/quan.schema.json) and the error messages all come from it.
 * Every level is strict: a misspelt key (`clock.toleranceSecond`) is an error, never silently ignored.
 */

const publicKey = z
  .string()
  .refine((s) => /^[A-Za-z0-9+/]{43}=$/.test(s) && Buffer.from(s, "base64").length === 32, {
    message:
      "expected the merchant's Ed25519 public key: 32 bytes in base64 (44 characters, from `quan keys generate`)",
  });

const hidPath = z
  .string()
  .min(1)
  .describe("hidraw device, e.g. a udev symlink /dev/quan-keypad (hidraw numbers change between boots)");

const serialPath = z
  .string()
  .min(1)
  .describe("Prefer /dev/serial/by-id/... or a udev symlink: /dev/ttyUSB0 changes between boots");

/** How receipts are laid out and printed, for every kind that prints. */
const receiptPaper = {
  paperWidth: z
    .union([z.literal(58), z.literal(80)], { error: "expected 58 or 80 (paper width in mm)" })
    .default(80)
    .describe("Paper width in mm: 58 (32 columns) or 80 (48)"),
  qr: z
    .enum(["raster", "native"])
    .default("raster")
    .describe("raster prints on clones without native QR support"),
};

/** A required field whose absence gets `message` instead of zod's "expected string, received undefined". */
const required = (message: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? message : undefined) }).min(1);

/** Each kind of printer with only its own settings (a setting of another kind is refused). */
const printerSchema = z
  .discriminatedUnion(
    "kind",
    [
      z
        .strictObject({
          kind: z.literal("file").default("file"),
          dir: z
            .string()
            .min(1)
            .refine((d) => isAbsolute(d) || !normalize(d).split(/[\\/]/).includes(".."), {
              message: "must stay inside dataDir (no ..) or be an absolute path",
            })
            .default("receipts")
            .describe("Where receipts go, as .bin (ESC/POS) and .txt: inside dataDir, or an absolute path"),
          ...receiptPaper,
        })
        .describe("file (the default): receipts written as files"),
      z
        .strictObject({
          kind: z.literal("device"),
          path: required("a device printer (kind device) needs its device path, e.g. /dev/usb/lp0").describe(
            "/dev/usb/lpN (usblp) or a serial line; better a udev symlink such as /dev/quan-printer (lp numbers change between boots)",
          ),
          ...receiptPaper,
        })
        .describe("device: a printer on a device file"),
      z
        .strictObject({
          kind: z.literal("tcp"),
          host: required("a network printer (kind tcp) needs its host").describe("The printer's address"),
          port: z.number().int().min(1).max(65535).default(9100).describe("The raw printing port"),
          ...receiptPaper,
        })
        .describe("tcp: a network printer (raw port 9100)"),
      z.strictObject({ kind: z.literal("none") }).describe("none: no printer; receipts are not printed"),
    ],
    { error: 'expected "file", "device", "tcp" or "none"' },
  )
  .describe("The receipt printer: file, device, tcp or none, each with only its own settings");

/** The merchant link (MQTT); absent: the terminal trades offline only and reports nothing. */
const linkSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^mqtts?:\/\/[^\s/]+(:\d+)?\/?$/, "expected mqtt://host:port or mqtts://host:port (TLS)")
      .describe("The broker: mqtt://host:1883, or mqtts://host:8883 for TLS"),
    base: z
      .string()
      .regex(
        /^[A-Za-z0-9_.-]{1,32}(\/[A-Za-z0-9_.-]{1,32}){0,3}$/,
        '1-4 segments of letters, digits, _ . -, e.g. "quan/v1"',
      )
      .default("quan/v1")
      .describe("Topic base every topic starts with (docs/protocol.md, The MQTT link)"),
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "1-64 letters, digits, _ or -")
      .optional()
      .describe("MQTT client id (default quan-t-<terminal id>); stable, so the broker keeps the session"),
    username: z.string().min(1).max(128).optional().describe("MQTT user name (default: the terminal id)"),
    passwordFile: z
      .string()
      .min(1)
      .optional()
      .describe("File holding the MQTT password (its first line); keep it readable by the terminal only"),
    tls: z
      .strictObject({
        ca: z
          .string()
          .min(1)
          .optional()
          .describe("CA certificate (PEM) the broker's certificate must chain to"),
        cert: z.string().min(1).optional().describe("This terminal's client certificate (PEM)"),
        key: z.string().min(1).optional().describe("The client certificate's private key (PEM)"),
      })
      .optional()
      .describe("TLS files for mqtts://"),
    protocolVersion: z
      .union([z.literal(4), z.literal(5)])
      .default(4)
      .describe("4 = MQTT 3.1.1 (every broker, the embedded one included), 5 = MQTT 5"),
    maxPacketBytes: z
      .number()
      .int()
      .min(16 * 1024)
      .max(16 * 1024 * 1024)
      .default(128 * 1024)
      .describe("Largest packet the terminal publishes (AWS IoT takes 128 KB, EMQX 1 MB by default)"),
    keepaliveSeconds: z.number().int().min(5).max(600).default(30).describe("MQTT keepalive"),
    healthIntervalSeconds: z
      .number()
      .int()
      .min(5)
      .max(3600)
      .default(60)
      .describe("How often health is published"),
    window: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(50)
      .describe("Records sent and awaiting the merchant's acknowledgement at most"),
    offline: z
      .strictObject({
        maxListAgeHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 365)
          .nullable()
          .default(null)
          .describe(
            "While the link is down, refuse every coupon once the list was last known current (issued, or the link up) longer ago (null: never)",
          ),
      })
      .default({ maxListAgeHours: null })
      .describe(
        "What the terminal refuses while it cannot reach the merchant (campaigns the list marks onlineOnly, always)",
      ),
  })
  .describe("The merchant link over MQTT (docs/protocol.md); absent: offline only");

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z
      .literal(1, { error: "expected 1 (the only configuration format so far)" })
      .default(1)
      .describe("Configuration format version"),
    terminal: z
      .strictObject({
        id: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,32}$/, "1-32 letters, digits, _ or -")
          .describe("This terminal's id, unique in the fleet"),
        store: z.string().min(1).describe("Store id: campaigns scoped to other stores are refused here"),
        storeName: z.string().min(1).describe("Shown on the idle screen and printed on receipts"),
        cashier: z.string().min(1).default("cashier").describe("Cashier id recorded with each redemption"),
      })
      .describe("Who this terminal is"),
    merchant: z
      .strictObject({
        id: z.string().min(1).describe("Merchant id: coupon lists for another merchant are refused"),
        publicKey: publicKey.describe("Pinned Ed25519 key that coupon lists must be signed with"),
      })
      .describe("Whose coupon lists this terminal accepts"),
    locale: z.enum(["zh-CN", "en"]).default("zh-CN").describe("Screen and receipt language"),
    dataDir: z
      .string()
      .min(1)
      // Relative, it would name another folder for every directory quan is run from: two
      // journals, and a single-use code counted once in each.
      .refine((d) => isAbsolute(d), {
        message:
          "must be an absolute path (e.g. /var/lib/quan): a relative one would depend on the directory quan is started from",
      })
      .default("/var/lib/quan")
      .describe("Journal, coupon cache and state (an absolute path)"),
    clock: z
      .strictObject({
        toleranceSeconds: z
          .number()
          .int()
          .min(0)
          .max(86_400)
          .default(300)
          .describe(
            "How far the clock may lag the latest trusted time before time-limited coupons are refused",
          ),
        maxAheadHours: z
          .number()
          .int()
          .min(1)
          .max(30 * 24)
          .default(24)
          .describe(
            "How far ahead of the terminal's time (the later of clock and trusted time) a signed list may be dated; a list dated further ahead is refused, and a trusted time further ahead of the clock is in doubt",
          ),
      })
      .default({ toleranceSeconds: 300, maxAheadHours: 24 }),
    void: z
      .strictObject({
        windowMinutes: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(30)
          .describe("How long after a redemption it may be voided"),
        managerPin: z
          .string()
          .regex(PIN_HASH_PATTERN, { error: (issue) => pinHashShapeProblem(issue.input) })
          .superRefine((value, ctx) => {
            // Salt and key lengths, canonical base64, scrypt cost bounds: a degenerate hash is refused here.
            if (!PIN_HASH_PATTERN.test(value)) return;
            try {
              parsePinHash(value);
            } catch (err) {
              if (!(err instanceof PinHashError)) throw err;
              ctx.addIssue({ code: "custom", message: err.message });
            }
          })
          .optional()
          .describe("Manager PIN hash from `quan pin hash PIN`; without it, voids and Z reports are refused"),
      })
      .default({ windowMinutes: 30 }),
    flow: z
      .strictObject({
        inactivitySeconds: z
          .number()
          .int()
          .min(5)
          .max(3600)
          .default(60)
          .describe("Back to idle after this long without input"),
        doubleScanMs: z
          .number()
          .int()
          .min(0)
          .max(10_000)
          .default(1500)
          .describe("An identical scan within this window is ignored"),
        keymap: z
          .partialRecord(z.enum(PHYSICAL_KEYS), z.enum(ACTIONS))
          .optional()
          .describe(
            "Physical key -> action, overriding the default numeric-keypad layout (see docs/keypad.md)",
          ),
      })
      .default({ inactivitySeconds: 60, doubleScanMs: 1500 }),
    display: z
      .strictObject({
        kind: z.enum(["tty", "none"]).default("tty"),
        color: z.boolean().default(true).describe("Off for monochrome consoles"),
      })
      .default({ kind: "tty", color: true }),
    input: z
      .strictObject({
        kind: z
          .enum(["stdin", "none"])
          .default("stdin")
          .describe(
            "stdin: the console keyboard stands in for keypad and scanner; none: console keystrokes are drained (use with HID devices, whose keys also reach the console)",
          ),
      })
      .default({ kind: "stdin" }),
    keypad: z
      .discriminatedUnion("kind", [
        z.strictObject({ kind: z.literal("none") }),
        z.strictObject({ kind: z.literal("hid"), path: hidPath }),
      ])
      .default({ kind: "none" })
      .describe("A USB numeric keypad read directly (hidraw) instead of through the console"),
    scanner: z
      .discriminatedUnion("kind", [
        z.strictObject({ kind: z.literal("none") }),
        z.strictObject({ kind: z.literal("hid"), path: hidPath }),
        z.strictObject({
          kind: z.literal("serial"),
          path: serialPath,
          baudRate: z.number().int().positive().default(9600),
        }),
      ])
      .default({ kind: "none" }),
    printer: printerSchema.default({ kind: "file", dir: "receipts", paperWidth: 80, qr: "raster" }),
    log: z
      .strictObject({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      })
      .default({ level: "info" }),
    link: linkSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.link) {
      const ids: [string[], string][] = [
        [["terminal", "id"], c.terminal.id],
        [["terminal", "store"], c.terminal.store],
        [["merchant", "id"], c.merchant.id],
      ];
      for (const [path, id] of ids)
        if (!TOPIC_ID.test(id))
          ctx.addIssue({
            code: "custom",
            path,
            message:
              "with a link, ids appear in MQTT topics: 1-64 letters, digits, _ or -, starting with a letter or digit",
          });
    }
    if (c.input.kind === "stdin" && (c.keypad.kind === "hid" || c.scanner.kind === "hid")) {
      ctx.addIssue({
        code: "custom",
        path: ["input", "kind"],
        message:
          'must be "none" with a HID keypad or scanner: their keys also reach the console and would count twice',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" });
}
