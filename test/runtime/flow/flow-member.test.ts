import { afterEach, describe, expect, it } from "vitest";
import { hashMember } from "../../../src/runtime/coupons/member-hash.js";
import { CAMPAIGNS, CODES, FlowHarness, MEMBER_PHONE, MEMBER_SALT } from "./flow-harness.js";

let h: FlowHarness;
afterEach(() => h?.cleanup());

/** The raw number must never be held where the screens (or a log of the view) could see it. */
function expectNoPhoneInView(): void {
  expect(JSON.stringify(h.view)).not.toContain(MEMBER_PHONE);
  expect(JSON.stringify(h.view)).not.toContain(MEMBER_PHONE.slice(0, 7));
}

describe("member-bound coupons", () => {
  it("ask for the phone, hash it at once, re-check and commit with the hash", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("99000001");
    expect(h.sale()).toMatchObject({
      step: "member",
      member: false,
      lines: [{ ok: false, reason: "member_required" }],
    });
    let typed = "";
    for (const digit of MEMBER_PHONE) {
      h.press(digit);
      typed += digit;
      expect(h.sale().memberDigits).toBe(typed); // shown while typed, so a typo can be seen
    }
    h.press("Enter");
    expectNoPhoneInView();
    expect(h.sale()).toMatchObject({
      step: "review",
      member: true,
      memberMasked: "*******8000",
      memberDigits: "",
      committable: true,
      payable: 4250, // the demo's members 15% off ￥50.00
    });
    expect(h.view.notice?.code).toBe("member_identified");
    h.press("Enter");
    expect(h.screen.name).toBe("approved");
    expect(h.journal()[0]?.type === "redeem" && h.journal()[0]).toMatchObject({
      member: hashMember(MEMBER_SALT, MEMBER_PHONE),
    });
    expect(JSON.stringify(h.journal())).not.toContain(MEMBER_PHONE);
  });

  it("take a scanned member code instead of a phone number", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("99000003").scan("MEMBER-CARD-77");
    expect(h.sale()).toMatchObject({ step: "review", member: true, committable: true });
    h.press("Enter");
    expect(h.journal()[0]).toMatchObject({ member: hashMember(MEMBER_SALT, "MEMBER-CARD-77") });
  });

  it("a coupon scanned at the member prompt is added as a coupon", () => {
    h = new FlowHarness();
    h.press("50", "Enter", "+");
    expect(h.sale().step).toBe("member");
    h.scan("66000001");
    expect(h.sale()).toMatchObject({
      step: "review",
      member: false,
      lines: [{ code: "66000001", ok: true }],
    });
  });

  it("refuse a number that is too short, and leave the prompt with backspace", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("99000001").press("12", "Enter");
    expect(h.sale()).toMatchObject({ step: "member", memberDigits: "12" });
    expect(h.view.notice?.code).toBe("member_too_short");
    h.press("Backspace", "Backspace", "Backspace");
    expect(h.sale()).toMatchObject({ step: "review", lines: [{ reason: "member_required" }] });
  });

  it("a code bound to another member is refused as such", () => {
    h = new FlowHarness();
    h.cleanup();
    h = new FlowHarness();
    h.fx.store.importList(
      h.fx.signList(
        CAMPAIGNS,
        [
          ...CODES,
          { code: "99000002", campaign: "member15", member: hashMember(MEMBER_SALT, "13900000000") },
        ],
        { version: 2, memberSalt: MEMBER_SALT },
      ),
      h.now,
    );
    h.press("50", "Enter").scan("99000002").press(MEMBER_PHONE, "Enter");
    expect(h.sale()).toMatchObject({ member: true, lines: [{ ok: false, reason: "member_mismatch" }] });
    expect(h.bells).toBeGreaterThan(0);
  });
});
