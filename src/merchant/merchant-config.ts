import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { z } from "zod";
import { formatIssues } from "../protocol/issues.js";
import { TOPIC_ID } from "../protocol/mqtt/address.js";
import { ConfigError } from "../runtime/config/load.js";

/** The merchant service's config file: one schema for its types, defaults and messages (strict). */
export const merchantConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1, { error: "expected 1" }).default(1),
  merchant: z.strictObject({
    id: z.string().regex(TOPIC_ID, "1-64 letters, digits, _ or -, starting with a letter or digit"),
    privateKeyFile: z
      .string()
      .min(1)
      .describe("The merchant's Ed25519 private key (PKCS#8 PEM), from quan keys generate"),
  }),
  dataDir: z
    .string()
    .refine(isAbsolute, "must be an absolute path")
    .describe("Where the merchant's record (merchant.sqlite) lives"),
  timeZone: z.string().min(1).default("Asia/Shanghai").describe("IANA timezone of the export's local times"),
  broker: z.strictObject({
    url: z.string().regex(/^mqtts?:\/\/[^\s/]+(:\d+)?\/?$/, "expected mqtt://host:port or mqtts://host:port"),
    base: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,32}(\/[A-Za-z0-9_.-]{1,32}){0,3}$/, "1-4 segments of letters, digits, _ . -")
      .default("quan/v1"),
    clientId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
    username: z.string().min(1).max(128).optional(),
    passwordFile: z.string().min(1).optional(),
    tls: z
      .strictObject({
        ca: z.string().min(1).optional(),
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
      })
      .optional(),
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4),
    maxPacketBytes: z
      .number()
      .int()
      .min(16 * 1024)
      .max(16 * 1024 * 1024)
      .default(256 * 1024 + 4096),
  }),
  log: z
    .strictObject({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    })
    .default({ level: "info" }),
});

export type MerchantConfig = z.infer<typeof merchantConfigSchema>;
export type MerchantConfigInput = z.input<typeof merchantConfigSchema>;

/** Reads and checks a merchant config file; every problem is reported with its path. */
export function loadMerchantConfig(file: string): MerchantConfig {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(file, [`cannot read it as JSON: ${(err as Error).message}`]);
  }
  const parsed = merchantConfigSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues));
  return parsed.data;
}
