import { z } from "zod";
import { instant, topicId, uniqueId } from "./common.js";

export const COMMANDS = ["resync-list", "print-test-page", "report-status"] as const;
/** The longest a command may stay valid: it is for now, not for a terminal that wakes tomorrow. */
export const MAX_COMMAND_VALIDITY_MS = 10 * 60_000;

/**
 * A command, merchant to one terminal: the `document` of a `quan.signed/1` envelope signed with the
 * merchant key, never retained. It names its terminal (so it cannot be replayed to another) and is
 * valid from `issuedAt` (the merchant's signed time) to `expiresAt`; a terminal runs a `request`
 * once and answers on `cmd/reply`.
 */
export const commandSchema = z
  .strictObject({
    format: z.literal("quan.command/1"),
    merchant: topicId,
    store: topicId,
    terminal: topicId,
    request: uniqueId,
    issuedAt: instant,
    expiresAt: instant,
    command: z.enum(COMMANDS),
  })
  .refine(
    (c) => {
      const span = Date.parse(c.expiresAt) - Date.parse(c.issuedAt);
      return span > 0 && span <= MAX_COMMAND_VALIDITY_MS;
    },
    `expiresAt must be after issuedAt and at most ${MAX_COMMAND_VALIDITY_MS / 60_000} minutes later`,
  );
export type Command = z.infer<typeof commandSchema>;

export const commandReplySchema = z.strictObject({
  format: z.literal("quan.command-reply/1"),
  terminal: topicId,
  request: uniqueId,
  at: instant,
  outcome: z.enum(["done", "refused", "failed"]),
  detail: z.string().max(500).optional(),
});
export type CommandReply = z.infer<typeof commandReplySchema>;
