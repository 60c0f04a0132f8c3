import { z } from "zod";

/**
 * The coupon list a central server pushes (or a technician imports): the terminal's only source of
 * coupon rules. docs/protocol.md documents it field by field; this schema is the source of truth.
 */

const instant = z.iso.datetime({ offset: true }).describe("An instant, ISO 8601 with Z or an offset");
const minor = z.number().int().nonnegative().describe("Integer minor units (fen, cents)");
const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;

export const hourWindowSchema = z
  .string()
  .refine((s) => {
    const [a, b] = s.split("-");
    return a !== undefined && b !== undefined && hhmm.test(a) && hhmm.test(b) && a !== b;
  }, 'expected "HH:MM-HH:MM" (may wrap past midnight, e.g. "22:00-02:00")')
  .describe('Local hour window "HH:MM-HH:MM" in the store timezone; start inclusive, end exclusive');

export const localizedSchema = z.union([
  z.string().min(1),
  z
    .object({ zh: z.string().min(1).optional(), en: z.string().min(1).optional() })
    .refine((o) => o.zh || o.en, {
      message: "needs zh or en",
    }),
]);

const campaignBase = {
  id: z.string().min(1).max(64),
  name: localizedSchema,
  minSpend: minor.optional(),
  validFrom: instant.optional(),
  validUntil: instant.optional(),
  weekdays: z
    .array(z.number().int().min(1).max(7))
    .min(1)
    .optional()
    .describe("ISO weekdays (1 = Monday ... 7 = Sunday) in the store timezone"),
  hours: z.array(hourWindowSchema).min(1).optional(),
  stores: z.array(z.string().min(1)).min(1).optional().describe("Store ids where it is valid; absent = all"),
  maxUses: z.number().int().positive().optional().describe("Redemptions allowed for the whole campaign"),
  perMember: z.number().int().positive().optional().describe("Redemptions allowed per member"),
  stackable: z.boolean().default(false),
  rounding: z.enum(["half_up", "down", "half_even"]).default("half_up"),
  requiresMember: z.boolean().default(false),
  dynamic: z.boolean().default(false).describe("Codes carry a TOTP token (RFC 6238, 30 s step)"),
  // Optional, not defaulted: a list without it parses exactly as before this field existed, so a
  // list cache written then still verifies against its signed documents (absent means false).
  onlineOnly: z
    .boolean()
    .optional()
    .describe("Refused while the terminal's merchant link is down (its offline policy decides)"),
};

export const campaignSchema = z
  .discriminatedUnion("kind", [
    z.object({
      ...campaignBase,
      kind: z.literal("percent"),
      percentOff: z
        .number()
        .positive()
        .max(100)
        .refine((p) => Number.isInteger(p * 100), "at most two decimals")
        .describe("Percent off, e.g. 20 for 20% off (8折)"),
      maxOff: minor.positive().optional().describe("Cap on the discount"),
    }),
    z.object({ ...campaignBase, kind: z.literal("amount"), amountOff: minor.positive() }),
    z.object({
      ...campaignBase,
      kind: z.literal("threshold"),
      threshold: minor.positive().describe("Spend at least this"),
      off: minor.positive().describe("to get this off"),
      repeat: z.boolean().default(false).describe("Take `off` for every full `threshold`"),
      maxOff: minor.positive().optional(),
    }),
    z.object({
      ...campaignBase,
      kind: z.literal("gift"),
      gift: localizedSchema.describe("The item handed over"),
    }),
  ])
  .superRefine((c, ctx) => {
    if (c.validFrom && c.validUntil && Date.parse(c.validFrom) >= Date.parse(c.validUntil)) {
      ctx.addIssue({ code: "custom", path: ["validUntil"], message: "must be after validFrom" });
    }
  });

export const codeSchema = z.object({
  code: z
    .string()
    .regex(
      /^[0-9A-Za-z][0-9A-Za-z_-]{3,63}$/,
      "4-64 characters of 0-9 A-Z a-z _ -, starting with a letter or digit",
    )
    .describe("The code as scanned or typed"),
  campaign: z.string().min(1),
  uses: z.number().int().positive().default(1),
  member: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "a SHA-256 hex of salt + member id")
    .optional()
    .describe("Binds the code to one member"),
  totp: z
    .string()
    .regex(/^[A-Z2-7]{16,}=*$/, "a base32 secret of at least 80 bits")
    .optional()
    .describe("TOTP secret for dynamic codes"),
});

export const couponListSchema = z
  .object({
    format: z.literal("quan.coupons/1"),
    merchant: z.string().min(1),
    version: z
      .number()
      .int()
      .positive()
      .describe("Monotonic: a terminal refuses a version it has already passed"),
    issuedAt: instant,
    timezone: z.string().refine(isIanaZone, "an IANA timezone such as Asia/Shanghai"),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default("CNY"),
    memberSalt: z.string().min(16).describe("Salt for member hashes: sha256(salt + ':' + member id)"),
    campaigns: z.array(campaignSchema),
    codes: z.array(codeSchema),
    revoked: z
      .object({ codes: z.array(z.string()).default([]), campaigns: z.array(z.string()).default([]) })
      .default({ codes: [], campaigns: [] }),
  })
  .superRefine((list, ctx) => {
    const campaigns = new Set<string>();
    list.campaigns.forEach((c, i) => {
      if (campaigns.has(c.id))
        ctx.addIssue({
          code: "custom",
          path: ["campaigns", i, "id"],
          message: `duplicate campaign "${c.id}"`,
        });
      campaigns.add(c.id);
    });
    const codes = new Set<string>();
    for (let i = 0; i < list.codes.length; i++) {
      const c = list.codes[i] as CouponCode;
      if (codes.has(c.code))
        ctx.addIssue({ code: "custom", path: ["codes", i, "code"], message: `duplicate code "${c.code}"` });
      codes.add(c.code);
      if (!campaigns.has(c.campaign)) {
        ctx.addIssue({
          code: "custom",
          path: ["codes", i, "campaign"],
          message: `no campaign "${c.campaign}" in this list`,
        });
      }
    }
  });

export type CouponList = z.infer<typeof couponListSchema>;
export type CouponListInput = z.input<typeof couponListSchema>;
export type Campaign = z.infer<typeof campaignSchema>;
export type CouponCode = z.infer<typeof codeSchema>;
export type Localized = z.infer<typeof localizedSchema>;

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone.includes("/") || zone === "UTC";
  } catch {
    return false;
  }
}

/**
 * Re-reads a list that already passed `couponListSchema` at import and whose signature was just
 * verified again: campaigns go through the schema (a handful, and it applies their defaults), the
 * codes, possibly a million, only get their one default. Saves about a second per million codes at
 * every start.
 */
export function parseVerifiedList(documentText: string): CouponList {
  const raw = JSON.parse(documentText) as CouponListInput;
  const shell = couponListSchema.parse({ ...raw, codes: [] });
  const codes = raw.codes as CouponCode[];
  for (const c of codes) if (c.uses === undefined) c.uses = 1;
  return { ...shell, codes };
}
