/**
 * Options shared by the commands, declared once for `parseArgs` (spread into each command's own):
 * the USAGE text in main.ts documents them once, under "Common".
 */

/** --config FILE (else $QUAN_CONFIG, else /etc/quan/config.json) and --data DIR (overrides dataDir). */
export const terminalOptions = {
  config: { type: "string" },
  data: { type: "string" },
} as const;

/** --json: one JSON document on stdout instead of text. */
export const jsonOption = {
  json: { type: "boolean" },
} as const;
