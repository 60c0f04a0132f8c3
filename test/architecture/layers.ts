/**
 * The layers of the tree, top to bottom (README, "Project layout"). A file may import files of its
 * own layer and of the layers below it, never above, and not the layers its `never` names (a lower
 * layer it has no business with).
 */
export interface Layer {
  name: string;
  /** Path prefixes (a folder ends with "/") or exact files, relative to the repository root. */
  paths: string[];
  never?: string[];
  /** Pure: no I/O. It may import only the packages and node builtins in PURE_MODULES. */
  pure?: boolean;
}

export const LAYERS: Layer[] = [
  { name: "cli", paths: ["src/cli/"] },
  { name: "composition root", paths: ["src/runtime/terminal.ts"] },
  // demo, clock trust, the systemd watchdog and the control socket are parts that predate or sit
  // outside src/runtime/parts; the bus (event map, announcing ledger) is what the parts share.
  {
    name: "parts",
    paths: [
      "src/runtime/parts/",
      "src/runtime/bus/",
      "src/runtime/demo/",
      "src/runtime/clock/",
      "src/runtime/service/",
      "src/runtime/control/",
    ],
  },
  { name: "merchant", paths: ["src/merchant/"] },
  { name: "link", paths: ["src/runtime/link/"] },
  // The one MQTT.js user (a supervised connection and a typed channel), and the embedded broker:
  // shared by the terminal's link and the merchant service, knowing neither.
  { name: "mqtt", paths: ["src/mqtt/", "src/broker/"], never: ["store", "engine", "ledger", "flow"] },
  // Screens turn a view into lines; the devices and the store are someone else's business.
  { name: "ui-tty", paths: ["src/ui-tty/"], never: ["drivers", "store"] },
  { name: "flow", paths: ["src/runtime/flow/"] },
  { name: "receipts", paths: ["src/runtime/receipts/"], pure: true },
  // Drivers take bytes and report status: nothing of the terminal's domain, only the shared leaves.
  { name: "drivers", paths: ["src/drivers/"], never: ["store", "engine", "ledger", "protocol"] },
  { name: "store", paths: ["src/runtime/store/"] },
  { name: "engine", paths: ["src/runtime/engine/"], pure: true, never: ["config and log"] },
  { name: "ledger", paths: ["src/runtime/ledger/"], pure: true, never: ["config and log"] },
  // The shared leaves. Config and log read files and write logs, which wire formats and pure rules must not.
  {
    name: "config and log",
    paths: ["src/runtime/config/", "src/runtime/log.ts", "src/runtime/package-version.ts"],
  },
  {
    name: "leaves",
    paths: ["src/runtime/time/", "src/runtime/money.ts", "src/runtime/ids.ts"],
  },
  // Text widths on the screen and on paper, used by receipts and screens alike.
  { name: "text", paths: ["src/runtime/text/"], pure: true },
  // The wire formats, at the bottom: shared with the merchant service, they import nothing of the
  // terminal (only zod and node:crypto), and anything above may use them (the config reports its
  // problems with protocol/issues). runtime/coupons holds the pure coupon rules the engine uses
  // (TOTP, member hashes, scanned strings), which import nothing either.
  { name: "protocol", paths: ["src/protocol/", "src/runtime/coupons/"], pure: true },
];

/** What a pure layer may import from outside the repository: computation, no files, sockets or processes. */
export const PURE_MODULES = new Set([
  "node:crypto",
  "node:buffer",
  "zod",
  "qrcode",
  "iconv-lite",
  "string-width",
]);

/**
 * Imports that break the layering today and that the rest of issue 7 removes, as
 * "importing file -> imported file". This list may only shrink: a new violation fails the test, and
 * so does an entry that no longer happens (delete it).
 */
export const KNOWN_VIOLATIONS: readonly string[] = [];
