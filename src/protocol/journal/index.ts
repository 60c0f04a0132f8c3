/** Journal records (redemptions and voids) as they are stored and as they will travel to the merchant. */
export * from "./records.js";
/** The same records as strict schemas, for the side that receives them. */
export * from "./schema.js";
