import { z } from "zod";
import { campaignSchema, codeSchema } from "./schema.js";

/**
 * A list update that changes little: version N+1 stated as edits on top of version N, signed by
 * the merchant key in the same envelope as a full list. It names its base by version and by the
 * SHA-256 of the base's signed document bytes (a full list's or the previous delta's), so a delta
 * can only apply to the exact list it was computed from. A delta cannot change the timezone,
 * currency or member salt: those need a full list.
 */
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 hex digest");
const ids = z.array(z.string().min(1)).default([]);

export const listDeltaSchema = z
  .object({
    format: z.literal("quan.coupons-delta/1"),
    merchant: z.string().min(1),
    version: z.number().int().positive(),
    baseVersion: z.number().int().positive(),
    baseDocumentHash: sha256Hex,
    issuedAt: z.iso.datetime({ offset: true }),
    campaigns: z
      .object({ upsert: z.array(campaignSchema).default([]), remove: ids })
      .default({ upsert: [], remove: [] }),
    codes: z
      .object({ upsert: z.array(codeSchema).default([]), remove: ids })
      .default({ upsert: [], remove: [] }),
    revoked: z
      .object({
        add: z.object({ codes: ids, campaigns: ids }).default({ codes: [], campaigns: [] }),
        remove: z.object({ codes: ids, campaigns: ids }).default({ codes: [], campaigns: [] }),
      })
      .default({ add: { codes: [], campaigns: [] }, remove: { codes: [], campaigns: [] } }),
  })
  .superRefine((d, ctx) => {
    if (d.version <= d.baseVersion)
      ctx.addIssue({ code: "custom", path: ["version"], message: "must be newer than baseVersion" });
    const once = (path: (string | number)[], values: string[]) => {
      const seen = new Set<string>();
      for (const v of values) {
        if (seen.has(v)) ctx.addIssue({ code: "custom", path, message: `"${v}" appears twice` });
        seen.add(v);
      }
    };
    once(["campaigns"], [...d.campaigns.upsert.map((c) => c.id), ...d.campaigns.remove]);
    once(["codes"], [...d.codes.upsert.map((c) => c.code), ...d.codes.remove]);
  });

export type ListDelta = z.infer<typeof listDeltaSchema>;
export type ListDeltaInput = z.input<typeof listDeltaSchema>;
