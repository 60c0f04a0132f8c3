import { describe, expect, it } from "vitest";
import { ulid } from "../../src/runtime/ids.js";

describe("redemption ids", () => {
  it("are ULIDs that sort by time and never repeat", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => ulid(1_772_596_800_000 + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ulid(1_000).slice(0, 10) < ulid(2_000).slice(0, 10)).toBe(true);
    expect(ulid(0).slice(0, 10)).toBe("0000000000");
  });
});
