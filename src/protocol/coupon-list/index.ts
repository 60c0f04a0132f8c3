/** The coupon list (`quan.coupons/1`): its schema and what a list must pass before it is in force. */

export * from "./code-check.js";
export * from "./delta-schema.js";
export * from "./document-bytes.js";
export * from "./schema.js";
export * from "./verify.js";
