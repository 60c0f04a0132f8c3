import type { CouponLineView, FlowView, ReceiptView, SaleView } from "../../src/runtime/flow/view.js";

/** Hand-made views of every screen, in the shape the flow produces (see test/runtime/flow). */

/** Everything of a view but its screen: a terminal in good health. */
export const baseView: Omit<FlowView, "screen"> = {
  storeName: "幸福小馆 Happy Noodles",
  currency: "CNY",
  clock: "2026-03-04 12:00",
  health: {
    network: "online",
    printer: "ok",
    unsent: 0,
    conflicts: 0,
    clockSynchronized: true,
    clockTrusted: true,
    listVersion: 12,
    listAgeMinutes: 125,
    codes: 5000,
  },
  notice: null,
  printProblem: null,
};

export const accepted: CouponLineView = {
  code: "88000001",
  ok: true,
  name: "全场8折",
  offer: "8折",
  discount: 2570,
};

export const usedCoupon: CouponLineView = {
  code: "66000001",
  ok: false,
  reason: "used",
  name: "10元券",
  offer: "立减￥10.00",
  detail: { lastUse: { at: "2026-03-04 11:42", store: "S1", terminal: "T1" } },
};

export const minSpendCoupon: CouponLineView = {
  code: "50000001",
  ok: false,
  reason: "min_spend",
  name: "满100减20",
  offer: "满￥100.00减￥20.00",
  detail: { minSpend: "￥100.00" },
};

const sale = (over: Partial<SaleView>): SaleView => ({
  step: "review",
  amountText: "128.50",
  amount: 12850,
  lines: [],
  discount: 0,
  payable: 12850,
  committable: false,
  member: false,
  codeText: "",
  memberDigits: "",
  ...over,
});

export const receipt: ReceiptView = {
  id: "01JNF3K8ZQ4W6T2V9X5Y7B1C3D",
  at: "2026-03-04 12:00:05",
  amount: 12850,
  discount: 2570,
  payable: 10280,
  lines: [accepted],
  member: false,
};

export const views = {
  idle: { ...baseView, screen: { name: "idle" } },
  idleTroubled: {
    ...baseView,
    health: {
      ...baseView.health,
      network: "offline",
      printer: "paper_out",
      clockSynchronized: false,
      clockTrusted: false,
      unsent: 17,
    },
    printProblem: { job: "redemption", detail: "out of paper" },
    screen: { name: "idle" },
  },
  idleNoList: {
    ...baseView,
    health: { ...baseView.health, listVersion: null, listAgeMinutes: null, codes: 0 },
    notice: { code: "not_a_coupon", tone: "error", params: { text: "\u001b[2J\u0007扫码枪乱码" } },
    screen: { name: "idle" },
  },
  typing: {
    ...baseView,
    screen: {
      name: "sale",
      sale: sale({ step: "amount", amountText: "128.5", amount: null, discount: null, payable: null }),
    },
  },
  review: {
    ...baseView,
    screen: {
      name: "sale",
      sale: sale({ lines: [accepted], discount: 2570, payable: 10280, committable: true }),
    },
  },
  used: {
    ...baseView,
    notice: { code: "coupon_rejected", tone: "error", params: { code: "66000001" } },
    screen: { name: "sale", sale: sale({ lines: [usedCoupon], discount: 0, payable: 12850 }) },
  },
  minSpend: {
    ...baseView,
    screen: {
      name: "sale",
      sale: sale({ amount: 8000, amountText: "80", lines: [minSpendCoupon], payable: 8000 }),
    },
  },
  manyCoupons: {
    ...baseView,
    screen: {
      name: "sale",
      sale: sale({
        lines: Array.from({ length: 12 }, (_, i) => ({
          ...accepted,
          code: `8800${String(i).padStart(4, "0")}`,
          name: "一个名字非常非常长的优惠活动名称用来测试截断",
        })),
        discount: 2570,
        payable: 10280,
        committable: true,
      }),
    },
  },
  member: {
    ...baseView,
    screen: {
      name: "sale",
      sale: sale({
        step: "member",
        memberDigits: "1380013",
        lines: [{ code: "99000001", ok: false, reason: "member_required", name: "会员券" }],
      }),
    },
  },
  code: { ...baseView, screen: { name: "sale", sale: sale({ step: "code", codeText: "660000" }) } },
  approved: { ...baseView, screen: { name: "approved", receipt } },
  approvedPrintFailed: {
    ...baseView,
    printProblem: { job: "redemption", detail: "out of paper" },
    screen: { name: "approved", receipt },
  },
  menu: { ...baseView, notice: { code: "nothing_to_void", tone: "error" }, screen: { name: "menu" } },
  voidPin: { ...baseView, screen: { name: "void_pin", target: receipt, pinLength: 4, attemptsLeft: 2 } },
  voided: {
    ...baseView,
    screen: { name: "done", what: "voided", print: "printed", receipt: { ...receipt, voided: true } },
  },
  report: { ...baseView, screen: { name: "done", what: "report_Z", print: "printing", zNo: 12 } },
  zPin: {
    ...baseView,
    screen: { name: "z_pin", zNo: 12, from: "2026-03-04 00:00", pinLength: 2, attemptsLeft: 3 },
  },
} satisfies Record<string, FlowView>;

export type ViewName = keyof typeof views;
