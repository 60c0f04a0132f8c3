/** Journal records (redemptions and voids) as they are stored and as they will travel to the merchant. */
export * from "./records.js";
