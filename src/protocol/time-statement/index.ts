/** The signed time statement (`quan.time/1`): the merchant's word on what time it is. */
export * from "./statement.js";
