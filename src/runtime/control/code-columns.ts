import type { CouponCode } from "../../protocol/coupon-list/index.js";
import type { CodeTable } from "../engine/code-table.js";

/**
 * A list's codes in a form that crosses from a worker thread to the main thread for the price of
 * a few copies of flat memory: a million code objects sent as they are take the main thread
 * seconds to receive, which is what the worker is there to avoid. Strings are joined by "\n" (no
 * code, member hash or TOTP secret may hold one; "" stands for "none").
 */
export interface CodeColumns {
  count: number;
  codes: string;
  campaignIds: string[];
  /** Index into campaignIds, per code. */
  campaignOf: Uint32Array;
  uses: Float64Array;
  members: string;
  totps: string;
}

export function packCodes(codes: readonly CouponCode[]): CodeColumns {
  const campaignIds: string[] = [];
  const numbers = new Map<string, number>();
  const campaignOf = new Uint32Array(codes.length);
  const uses = new Float64Array(codes.length);
  let anyMember = false;
  let anyTotp = false;
  codes.forEach((c, i) => {
    let n = numbers.get(c.campaign);
    if (n === undefined) {
      n = campaignIds.push(c.campaign) - 1;
      numbers.set(c.campaign, n);
    }
    campaignOf[i] = n;
    uses[i] = c.uses ?? 1;
    anyMember ||= c.member !== undefined;
    anyTotp ||= c.totp !== undefined;
  });
  return {
    count: codes.length,
    codes: codes.map((c) => c.code).join("\n"),
    campaignIds,
    campaignOf,
    uses,
    members: anyMember ? codes.map((c) => c.member ?? "").join("\n") : "",
    totps: anyTotp ? codes.map((c) => c.totp ?? "").join("\n") : "",
  };
}

/** What a worker posts along with the columns so their memory moves instead of being copied. */
export function transferablesOf(columns: CodeColumns): ArrayBuffer[] {
  return [columns.campaignOf.buffer as ArrayBuffer, columns.uses.buffer as ArrayBuffer];
}

/**
 * Adds the codes to `table` `slice` at a time, awaiting `pause()` between slices so that the
 * thread doing it keeps answering scans.
 */
export async function unpackCodes(
  columns: CodeColumns,
  table: CodeTable,
  slice: number,
  pause: () => Promise<void>,
): Promise<void> {
  const codes = cursor(columns.codes);
  const members = columns.members === "" ? null : cursor(columns.members);
  const totps = columns.totps === "" ? null : cursor(columns.totps);
  for (let i = 0; i < columns.count; i++) {
    const code: CouponCode = {
      code: codes(),
      campaign: columns.campaignIds[columns.campaignOf[i] as number] as string,
      uses: columns.uses[i] as number,
    };
    const member = members?.();
    if (member) code.member = member;
    const totp = totps?.();
    if (totp) code.totp = totp;
    table.add(code);
    if ((i + 1) % slice === 0) await pause();
  }
}

/** Successive "\n"-separated fields of `text`, without splitting it all at once. */
function cursor(text: string): () => string {
  let at = 0;
  return () => {
    const end = text.indexOf("\n", at);
    const field = end === -1 ? text.slice(at) : text.slice(at, end);
    at = end === -1 ? text.length : end + 1;
    return field;
  };
}
