/** The signed envelope (`quan.signed/1`) every document from the merchant travels in, and its keys. */

export * from "./envelope-bytes.js";
export * from "./keys.js";
export * from "./signing.js";
