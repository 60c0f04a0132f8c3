import type { CouponCode } from "../../protocol/coupon-list/index.js";
import type { CodeLookup } from "./code-lookup.js";

/**
 * The codes of a list, stored compactly: a terminal holds up to millions of them, so each code
 * costs one Map entry whose value is a small integer (campaign number and uses), not an object.
 * The rare extras (member binding, TOTP secret, very large use counts) live in side maps.
 */
export class CodeTable implements CodeLookup {
  private readonly packed = new Map<string, number>();
  private readonly campaignIds: string[] = [];
  private readonly campaignNumbers = new Map<string, number>();
  private readonly members = new Map<string, string>();
  private readonly secrets = new Map<string, string>();
  private readonly largeUses = new Map<string, number>();

  static readonly MAX_PACKED_USES = 2 ** 17;
  private static readonly USES_SHIFT = 2 ** 13;

  add(code: CouponCode): void {
    let n = this.campaignNumbers.get(code.campaign);
    if (n === undefined) {
      n = this.campaignIds.length;
      if (n >= CodeTable.USES_SHIFT) throw new RangeError(`more than ${CodeTable.USES_SHIFT} campaigns`);
      this.campaignIds.push(code.campaign);
      this.campaignNumbers.set(code.campaign, n);
    }
    const uses = code.uses ?? 1;
    if (uses >= CodeTable.MAX_PACKED_USES) this.largeUses.set(code.code, uses);
    this.packed.set(code.code, n + Math.min(uses, CodeTable.MAX_PACKED_USES) * CodeTable.USES_SHIFT);
    if (code.member !== undefined) this.members.set(code.code, code.member);
    if (code.totp !== undefined) this.secrets.set(code.code, code.totp);
  }

  get(code: string): CouponCode | undefined {
    const v = this.packed.get(code);
    if (v === undefined) return undefined;
    const packedUses = Math.floor(v / CodeTable.USES_SHIFT);
    const out: CouponCode = {
      code,
      campaign: this.campaignIds[v % CodeTable.USES_SHIFT] as string,
      uses: packedUses === CodeTable.MAX_PACKED_USES ? (this.largeUses.get(code) as number) : packedUses,
    };
    const member = this.members.get(code);
    if (member !== undefined) out.member = member;
    const totp = this.secrets.get(code);
    if (totp !== undefined) out.totp = totp;
    return out;
  }

  has(code: string): boolean {
    return this.packed.has(code);
  }

  get size(): number {
    return this.packed.size;
  }
}
