/** The coupon list (`quan.coupons/1`): its schema and what a list must pass before it is in force. */
export * from "./schema.js";
export * from "./verify.js";
