import type { Locale } from "../runtime/engine/labels.js";
import type { RejectionReason } from "../runtime/engine/verdict.js";
import type { NetworkStatus, PrinterHealth } from "../runtime/flow/events.js";
import type { DoneWhat, NoticeCode } from "../runtime/flow/view.js";

/**
 * Every string the screens show, in both languages. `{name}` is a placeholder filled by `t`.
 * Rejections are worded for the cashier, not the programmer.
 */

interface Entry {
  readonly "zh-CN": string;
  readonly en: string;
}

type RequiredKey =
  | `reason.${RejectionReason}`
  | `notice.${NoticeCode}`
  | `network.${NetworkStatus | "unknown"}`
  | `printer.${PrinterHealth}`
  | `done.${DoneWhat}`;

export const MESSAGES = {
  // idle
  "idle.prompt": { "zh-CN": "请输入金额或扫码", en: "Type the amount or scan a coupon" },
  "health.network": { "zh-CN": "网络", en: "Network" },
  "health.printer": { "zh-CN": "打印机", en: "Printer" },
  "health.clock": { "zh-CN": "时钟", en: "Clock" },
  "health.clock.synchronized": { "zh-CN": "已同步", en: "NTP synchronised" },
  "health.clock.unsynchronized": { "zh-CN": "未同步", en: "not NTP synchronised" },
  "health.clock.untrusted": { "zh-CN": "未校准", en: "NOT verified" },
  "health.clock.consequence": { "zh-CN": "限时券暂不可用", en: "time-limited coupons refused" },
  "health.list": { "zh-CN": "券表", en: "Coupon list" },
  "health.list.none": { "zh-CN": "未导入，无法核销", en: "none: cannot redeem" },
  "health.list.value": { "zh-CN": "v{version}（{age}）", en: "v{version} ({age})" },
  "health.conflicts": { "zh-CN": "核销冲突", en: "Conflicts" },
  "health.conflicts.value": { "zh-CN": "{count} 笔，请联系商户核对", en: "{count}: check with the merchant" },
  "health.unsent": { "zh-CN": "待上传", en: "Unsent" },
  "health.unsent.value": { "zh-CN": "{count} 笔", en: "{count}" },
  "health.unsent.off": { "zh-CN": "—", en: "—" },
  "health.faults": { "zh-CN": "故障部件", en: "Not working" },
  "age.minutes": { "zh-CN": "{n} 分钟前", en: "{n} min old" },
  "age.hours": { "zh-CN": "{n} 小时前", en: "{n} h old" },
  "age.days": { "zh-CN": "{n} 天前", en: "{n} days old" },
  "network.online": { "zh-CN": "在线", en: "online" },
  "network.offline": { "zh-CN": "离线", en: "offline" },
  "network.disabled": { "zh-CN": "未启用", en: "off" },
  "network.unknown": { "zh-CN": "未知", en: "unknown" },
  "printer.ok": { "zh-CN": "正常", en: "ready" },
  "printer.paper_low": { "zh-CN": "纸将用完", en: "paper low" },
  "printer.paper_out": { "zh-CN": "缺纸", en: "out of paper" },
  "printer.cover_open": { "zh-CN": "盖未关", en: "cover open" },
  "printer.offline": { "zh-CN": "离线", en: "offline" },
  "printer.error": { "zh-CN": "故障", en: "error" },
  "printer.unknown": { "zh-CN": "未知", en: "unknown" },

  // the sale
  "sale.title": { "zh-CN": "核销", en: "Redeem" },
  "sale.amount": { "zh-CN": "金额", en: "Bill" },
  "sale.amount.was": { "zh-CN": "原金额（取消键恢复）", en: "Was (cancel restores)" },
  "sale.discount": { "zh-CN": "优惠", en: "Discount" },
  "sale.payable": { "zh-CN": "应付", en: "To pay" },
  "sale.member": { "zh-CN": "会员", en: "Member" },
  "sale.member.yes": { "zh-CN": "已识别", en: "identified" },
  "sale.prompt.amount": { "zh-CN": "输入金额后按确认", en: "Type the bill, then confirm" },
  "sale.prompt.scan": { "zh-CN": "请扫描优惠券", en: "Scan a coupon" },
  "sale.prompt.code": { "zh-CN": "输入券码后按确认", en: "Type the coupon code, then confirm" },
  "sale.prompt.member": {
    "zh-CN": "输入手机号，或扫会员码/优惠券",
    en: "Type phone, or scan member code/coupon",
  },
  "sale.code": { "zh-CN": "券码", en: "Code" },
  "sale.phone": { "zh-CN": "手机号", en: "Phone" },
  "sale.ready": { "zh-CN": "可核销，按确认键完成", en: "Accepted: confirm to redeem" },
  "sale.refused": { "zh-CN": "不可核销：{reason}", en: "Refused: {reason}" },
  "sale.refused.code": { "zh-CN": "不可核销 {code}：{reason}", en: "Refused {code}: {reason}" },
  "sale.more": { "zh-CN": "另有 {n} 张券", en: "{n} more coupons" },
  "sale.gift": { "zh-CN": "赠：{gift}", en: "Gift: {gift}" },

  // results
  "approved.title": { "zh-CN": "核销成功", en: "APPROVED" },
  "approved.collect": { "zh-CN": "请收款", en: "Collect" },
  "approved.ref": { "zh-CN": "单号", en: "Ref" },
  "done.voided": { "zh-CN": "已撤销", en: "VOIDED" },
  "done.reprinted": { "zh-CN": "补打小票", en: "Receipt reprint" },
  // {report}: the report's name as printed on the slip (receipts/labels.ts), one name everywhere.
  "done.report_X": { "zh-CN": "{report}", en: "{report}" },
  "done.report_Z": { "zh-CN": "{report} 第{no}号", en: "{report} No. {no}" },
  "done.reprinted_Z": { "zh-CN": "补打{report} 第{no}号", en: "Copy of {report} No. {no}" },
  "done.voided_receipt": { "zh-CN": "该笔已撤销，券已退回", en: "VOIDED: coupons given back" },
  "print.printing": { "zh-CN": "打印中…", en: "Printing…" },
  "print.printed": { "zh-CN": "已打印", en: "Printed" },
  "print.failed": { "zh-CN": "打印失败", en: "NOT printed" },

  // menu and voids
  "menu.title": { "zh-CN": "菜单", en: "Menu" },
  "menu.void": { "zh-CN": "撤销上一笔核销", en: "Void last redemption" },
  "menu.reprint": { "zh-CN": "补打上一张小票", en: "Reprint last receipt" },
  "menu.reprint_z": { "zh-CN": "补打{report}", en: "Reprint {report}" },
  "z.title": { "zh-CN": "{report} 第{no}号", en: "{report} No. {no}" },
  "z.from": { "zh-CN": "结算自", en: "Period from" },
  "z.confirm": {
    "zh-CN": "日结后账期关闭，输入经理密码确认",
    en: "Closes the books: manager PIN to confirm",
  },
  "void.title": { "zh-CN": "撤销核销", en: "Void redemption" },
  "void.pin": { "zh-CN": "经理密码", en: "Manager PIN" },
  "void.attempts": { "zh-CN": "还可尝试 {n} 次", en: "{n} attempts left" },

  // key hints
  "hint.confirm": { "zh-CN": "确认", en: "OK" },
  "hint.redeem": { "zh-CN": "核销", en: "redeem" },
  "hint.cancel": { "zh-CN": "取消", en: "cancel" },
  "hint.remove": { "zh-CN": "删券", en: "remove" },
  "hint.delete": { "zh-CN": "删除", en: "delete" },
  "hint.code": { "zh-CN": "输码", en: "code" },
  "hint.member": { "zh-CN": "会员", en: "member" },
  "hint.menu": { "zh-CN": "菜单", en: "menu" },
  "hint.back": { "zh-CN": "返回", en: "back" },
  "hint.choose": { "zh-CN": "按数字选择", en: "press a number" },
  "hint.next": { "zh-CN": "任意键继续", en: "any key: next" },
  "hint.dismiss": { "zh-CN": "关闭提示", en: "dismiss" },

  // coupon verdicts
  "reason.unknown": { "zh-CN": "无效券码", en: "Not a valid coupon" },
  "reason.revoked": { "zh-CN": "券已作废", en: "Revoked" },
  "reason.wrong_store": { "zh-CN": "本店不可用", en: "Not valid in this store" },
  "reason.used": { "zh-CN": "已使用", en: "Already used" },
  "reason.limit_reached": { "zh-CN": "活动名额已满", en: "Campaign limit reached" },
  "reason.not_yet_valid": { "zh-CN": "未到使用时间", en: "Not valid yet" },
  "reason.expired": { "zh-CN": "已过期", en: "Expired" },
  "reason.outside_hours": { "zh-CN": "当前时段不可用", en: "Not valid at this time" },
  "reason.member_required": { "zh-CN": "会员专享，请识别会员", en: "Members only: identify the member" },
  "reason.member_mismatch": { "zh-CN": "非该会员的券", en: "Belongs to another member" },
  "reason.member_limit": { "zh-CN": "该会员已用完次数", en: "Member's limit reached" },
  "reason.min_spend": { "zh-CN": "未达最低消费 {min}", en: "Minimum spend {min}" },
  "reason.not_stackable": { "zh-CN": "不可与其他券同用", en: "Cannot be combined" },
  "reason.dynamic_invalid": { "zh-CN": "动态码无效，请刷新", en: "Dynamic code invalid: refresh it" },
  "reason.dynamic_replayed": { "zh-CN": "动态码已使用", en: "Dynamic code already used" },
  "reason.clock_unverified": {
    "zh-CN": "时钟未校准，限时券暂不可用",
    en: "Clock not verified: time-limited coupons refused",
  },
  "reason.offline_list_stale": { "zh-CN": "离线且券单过旧，暂停核销", en: "offline, list too old" },
  "reason.online_only": { "zh-CN": "仅限联网核销（当前离线）", en: "online only (offline now)" },
  "reason.nothing_off": {
    "zh-CN": "本单无可减金额，券不扣用",
    en: "Takes nothing off this bill: not used",
  },
  "detail.last_use": { "zh-CN": "于 {at} 在 {store}/{terminal}", en: "on {at} at {store}/{terminal}" },
  "detail.valid_from": { "zh-CN": "{from} 起可用", en: "valid from {from}" },
  "detail.valid_until": { "zh-CN": "{until} 已到期", en: "ended {until}" },
  "detail.hours": { "zh-CN": "可用时段 {hours}", en: "valid {hours}" },

  // notices
  "notice.not_a_coupon": { "zh-CN": "不是券码：{text}", en: "Not a coupon code: {text}" },
  "notice.already_in_basket": { "zh-CN": "此券已在本单中", en: "Already on this bill" },
  "notice.amount_required": { "zh-CN": "请先输入金额", en: "Type the amount first" },
  "notice.amount_too_large": { "zh-CN": "金额超过上限 {max}", en: "Amount above the limit {max}" },
  "notice.too_many_decimals": { "zh-CN": "小数位过多", en: "Too many decimals" },
  "notice.no_decimals": { "zh-CN": "此币种没有小数", en: "This currency has no decimals" },
  "notice.scan_coupon_first": { "zh-CN": "请先扫描优惠券", en: "Scan a coupon first" },
  "notice.remove_rejected": {
    "zh-CN": "有券不可用：删除该券或取消",
    en: "A coupon is refused: remove it or cancel",
  },
  "notice.coupon_rejected": { "zh-CN": "券不可用：{code}", en: "Coupon refused: {code}" },
  "notice.commit_refused": {
    "zh-CN": "未核销：券状态已变化",
    en: "Not redeemed: the coupon changed meanwhile",
  },
  "notice.commit_failed": {
    "zh-CN": "核销失败，未保存：{detail}",
    en: "Redemption failed, not saved: {detail}",
  },
  "notice.check_failed": { "zh-CN": "校验失败：{detail}", en: "Check failed: {detail}" },
  "notice.member_too_short": { "zh-CN": "号码位数不足", en: "Number too short" },
  "notice.member_failed": { "zh-CN": "无法识别会员：{detail}", en: "Cannot identify the member: {detail}" },
  "notice.member_identified": { "zh-CN": "会员已识别", en: "Member identified" },
  "notice.code_too_long": { "zh-CN": "券码过长", en: "Code too long" },
  "notice.timeout": { "zh-CN": "超时，上一单已取消", en: "Timed out: the sale was cancelled" },
  "notice.cancelled": { "zh-CN": "已取消，未核销", en: "Cancelled: nothing redeemed" },
  "notice.cancel_confirm": {
    "zh-CN": "本单有 {n} 张券：再按一次取消键放弃本单",
    en: "{n} coupons on this bill: press cancel again to drop it",
  },
  "notice.amount_changed": {
    "zh-CN": "金额已由 {from} 改为 {to}，优惠已重算",
    en: "Bill changed from {from} to {to}: discounts recalculated",
  },
  "notice.amount_kept": { "zh-CN": "金额保持 {amount}", en: "Bill kept at {amount}" },
  "notice.finish_sale_first": { "zh-CN": "请先完成或取消本单", en: "Finish or cancel this sale first" },
  "notice.nothing_to_void": { "zh-CN": "没有可撤销的核销", en: "No redemption to void" },
  "notice.nothing_to_reprint": { "zh-CN": "没有可补打的小票", en: "No receipt to reprint" },
  "notice.void_bad_pin": { "zh-CN": "密码错误，还可尝试 {left} 次", en: "Wrong PIN, {left} attempts left" },
  "notice.void_too_many_attempts": {
    "zh-CN": "密码错误次数过多，撤销和日结暂停使用",
    en: "Too many wrong PINs: voids and Z paused",
  },
  "notice.void_locked": {
    "zh-CN": "密码错误过多，撤销和日结暂停，{minutes} 分钟后再试",
    en: "Wrong PINs: voids and Z paused, try again in {minutes} min",
  },
  "notice.void_not_last": {
    "zh-CN": "只能撤销最近一笔核销",
    en: "Only the most recent redemption can be voided",
  },
  "notice.pin_not_set": {
    "zh-CN": "未设置经理密码（void.managerPin），无法撤销或日结",
    en: "No manager PIN set (void.managerPin): no voids or Z",
  },
  "notice.close_failed": { "zh-CN": "日结失败：{detail}", en: "End of day failed: {detail}" },
  "notice.void_window_passed": { "zh-CN": "已超过可撤销时间", en: "Too late to void this one" },
  "notice.void_already_voided": { "zh-CN": "该笔已撤销", en: "Already voided" },
  "notice.void_not_found": { "zh-CN": "找不到该笔核销", en: "Redemption not found" },
  "notice.void_failed": { "zh-CN": "撤销失败：{detail}", en: "Void failed: {detail}" },

  // printing
  "print.failed.redemption": {
    "zh-CN": "小票未打印（{detail}）——核销已保存，可在菜单补打",
    en: "Receipt not printed ({detail}): redemption saved, reprint from menu",
  },
  "print.failed.void": {
    "zh-CN": "撤销单未打印（{detail}）——撤销已保存，可在菜单补打",
    en: "Void receipt not printed ({detail}): void saved, reprint from menu",
  },
  "print.failed.report": { "zh-CN": "报表未打印（{detail}）", en: "Report not printed ({detail})" },
} as const satisfies Record<RequiredKey, Entry> & Record<string, Entry>;

export type MessageKey = keyof typeof MESSAGES;

/** The message in `locale` with its `{placeholders}` filled. */
export function t(
  locale: Locale,
  key: MessageKey,
  params: Readonly<Record<string, string | number>> = {},
): string {
  const template: string = MESSAGES[key][locale];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}
