import { z } from "zod";
import { count, instant, sha256Hex, topicId, version } from "./common.js";

/** Most chunks one document may have: 64 MiB (the largest envelope) in chunks of 64 KiB. */
export const MAX_CHUNKS = 1024;
/** Largest chunk of data: base64-encoded in its JSON payload it stays under 256 KiB. */
export const MAX_CHUNK_DATA_BYTES = 188 * 1024;

/**
 * The signed manifest of a list on its way (the `document` of a `quan.signed/1` envelope, signed
 * with the merchant key): which list (kind, version, base), and the SHA-256 of every chunk of the
 * list's signed envelope, in order, so each chunk is checked as it arrives and nothing else can
 * be slipped in. `issuedAt` is the merchant's signed time.
 */
export const listManifestSchema = z
  .strictObject({
    format: z.literal("quan.list-manifest/1"),
    merchant: topicId,
    /** Set when the list is meant for one store only. */
    store: topicId.optional(),
    kind: z.enum(["snapshot", "delta"]),
    version,
    /** For a delta: the list it applies to (`baseVersion` and `baseDocumentHash` of the delta). */
    base: z.strictObject({ version, documentHash: sha256Hex }).optional(),
    issuedAt: instant,
    /** The `quan.signed/1` envelope of the list, as bytes, that the chunks reassemble into. */
    envelope: z.strictObject({ bytes: z.number().int().positive(), sha256: sha256Hex }),
    chunkBytes: z.number().int().min(1).max(MAX_CHUNK_DATA_BYTES),
    chunks: z.array(sha256Hex).min(1).max(MAX_CHUNKS),
  })
  .superRefine((m, ctx) => {
    if (m.kind === "delta" && !m.base)
      ctx.addIssue({ code: "custom", path: ["base"], message: "a delta names its base" });
    if (m.kind === "snapshot" && m.base)
      ctx.addIssue({ code: "custom", path: ["base"], message: "a snapshot has no base" });
    if (m.base && m.base.version >= m.version)
      ctx.addIssue({ code: "custom", path: ["base", "version"], message: "must be older than version" });
    if (m.chunks.length !== Math.ceil(m.envelope.bytes / m.chunkBytes))
      ctx.addIssue({
        code: "custom",
        path: ["chunks"],
        message: `envelope.bytes / chunkBytes makes ${Math.ceil(m.envelope.bytes / m.chunkBytes)} chunks`,
      });
  });
export type ListManifest = z.infer<typeof listManifestSchema>;

/** One chunk: bytes [index * chunkBytes, ...) of the envelope named by `envelope` (its SHA-256). */
export const listChunkSchema = z.strictObject({
  format: z.literal("quan.list-chunk/1"),
  merchant: topicId,
  version,
  envelope: sha256Hex,
  index: count.max(MAX_CHUNKS - 1),
  data: z
    .string()
    .max(Math.ceil(MAX_CHUNK_DATA_BYTES / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64"),
});
export type ListChunk = z.infer<typeof listChunkSchema>;

/** "Send me these chunks" (answered on the terminal's own `list/chunk`). */
export const listWantSchema = z.strictObject({
  format: z.literal("quan.list-want/1"),
  terminal: topicId,
  version,
  envelope: sha256Hex,
  chunks: z
    .array(count.max(MAX_CHUNKS - 1))
    .min(1)
    .max(MAX_CHUNKS)
    .refine((c) => new Set(c).size === c.length, "each chunk once"),
});
export type ListWant = z.infer<typeof listWantSchema>;

/** "Send me a full list": answered with a snapshot manifest and its chunks on the terminal's own topics. */
export const listResyncSchema = z.strictObject({
  format: z.literal("quan.list-resync/1"),
  terminal: topicId,
  /** The list in force, or null for none. */
  have: z.strictObject({ version, documentHash: sha256Hex }).nullable(),
  reason: z.enum(["version_gap", "wrong_base", "damaged", "commanded", "no_list"]),
});
export type ListResync = z.infer<typeof listResyncSchema>;
