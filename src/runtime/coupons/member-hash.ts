import { createHash } from "node:crypto";

/**
 * Members are identified by a salted hash, never by the raw id (often a phone number).
 * Phone-like ids are normalised first so "138 0013 8000", "+86 13800138000" and "13800138000" match.
 */
export function normalizeMemberId(raw: string): string {
  const trimmed = raw.trim();
  const phone = trimmed.replace(/[\s()-]/g, "");
  if (/^\+?\d{6,15}$/.test(phone)) return phone.replace(/^\+?86(?=1\d{10}$)/, "").replace(/^\+/, "");
  return trimmed;
}

export function hashMember(salt: string, memberId: string): string {
  return createHash("sha256")
    .update(`${salt}:${normalizeMemberId(memberId)}`)
    .digest("hex");
}
