import { z } from "zod";
import { TOPIC_ID } from "../address.js";

export const topicId = z
  .string()
  .regex(TOPIC_ID, "1-64 letters, digits, _ or -, starting with a letter or digit");
export const instant = z.iso.datetime({ offset: true });
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 hex digest");
/** A fleet-unique id (a ULID for records, any unique token for requests). */
export const uniqueId = z.string().regex(/^[0-9A-Za-z_-]{8,64}$/, "8-64 characters of 0-9 A-Z a-z _ -");
export const count = z.number().int().nonnegative();
export const version = z.number().int().positive();
