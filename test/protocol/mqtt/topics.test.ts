import { describe, expect, it } from "vitest";
import {
  type Address,
  parseTopic,
  subscriptionsOf,
  TOPIC_NAMES,
  TOPICS,
  TopicError,
  topicFor,
} from "../../../src/protocol/mqtt/index.js";

const BASE = "quan/v1";
const addresses: Record<string, Address> = {
  merchant: { scope: "merchant", merchant: "m-001" },
  store: { scope: "store", merchant: "m-001", store: "s-01" },
  terminal: { scope: "terminal", merchant: "m-001", store: "s-01", terminal: "t-07" },
};

describe("topics", () => {
  it.each(TOPIC_NAMES)("%s: built and read back to the same name and address", (name) => {
    const address = addresses[TOPICS[name].scope] as never;
    for (const base of [BASE, "acme/prod/quan/v1"]) {
      const topic = topicFor(base, name, address);
      expect(parseTopic(base, topic)).toEqual({ name, address });
    }
  });

  it("every topic has the same depth and a distinct scope + leaf", () => {
    expect(topicFor(BASE, "record", addresses.terminal as never)).toBe(
      "quan/v1/m-001/s-01/t-07/journal/record",
    );
    expect(topicFor(BASE, "storeListManifest", addresses.store as never)).toBe(
      "quan/v1/m-001/s-01/-/list/manifest",
    );
    expect(topicFor(BASE, "merchantListManifest", addresses.merchant as never)).toBe(
      "quan/v1/m-001/-/-/list/manifest",
    );
    const keys = TOPIC_NAMES.map((n) => `${TOPICS[n].scope} ${TOPICS[n].leaf}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("refuses to build a topic for ids that are not topic-safe or the wrong scope", () => {
    for (const terminal of ["", "-", "t/1", "t+", "t#", "$SYS", "a b", "t".repeat(65), "终端"])
      expect(() => topicFor(BASE, "record", { ...addresses.terminal, terminal } as never)).toThrow(
        TopicError,
      );
    expect(() => topicFor(BASE, "record", addresses.store as never)).toThrow(/terminal topic/);
    for (const base of ["", "/quan", "quan/", "quan/+", "quan/#", "a/b/c/d/e", "quan v1"])
      expect(() => topicFor(base, "record", addresses.terminal as never)).toThrow(TopicError);
  });

  it.each([
    ["empty", ""],
    ["wrong base", "quan/v2/m-001/s-01/t-07/journal/record"],
    ["base only as a prefix", "quan/v1x/m-001/s-01/t-07/journal/record"],
    ["single-level wildcard", "quan/v1/m-001/+/t-07/journal/record"],
    ["multi-level wildcard", "quan/v1/m-001/s-01/t-07/#"],
    ["empty segment", "quan/v1/m-001//t-07/journal/record"],
    ["trailing slash", "quan/v1/m-001/s-01/t-07/journal/record/"],
    ["leading slash", "/quan/v1/m-001/s-01/t-07/journal/record"],
    ["over-long segment", `quan/v1/m-001/s-01/${"t".repeat(65)}/journal/record`],
    ["over-long topic", `quan/v1/m-001/s-01/t-07/${"a/".repeat(300)}record`],
    ["control character", "quan/v1/m-001/s-01/t-07\u0000/journal/record"],
    ["NUL in the leaf", "quan/v1/m-001/s-01/t-07/journal/rec\u0000ord"],
    ["unknown leaf", "quan/v1/m-001/s-01/t-07/journal/delete"],
    ["leaf of another scope", "quan/v1/m-001/s-01/-/journal/record"],
    ["terminal without a store", "quan/v1/m-001/-/t-07/journal/record"],
    ["too short", "quan/v1/m-001/s-01"],
    ["$ system topic", "$SYS/broker/uptime"],
    ["id with a dot-dot", "quan/v1/../s-01/t-07/journal/record"],
    ["non-ASCII id", "quan/v1/m-001/店/t-07/journal/record"],
  ])("refuses a hostile topic: %s", (_why, topic) => {
    expect(() => parseTopic(BASE, topic)).toThrow(TopicError);
  });

  it.each([
    "quan/v1/m-001/+/t-07/journal/record",
    "quan/v1/m-001/s-01/t-07/#",
    "quan/v1/m-001/s-01/t-07/journal/rec\u0000ord",
  ])("names the wildcard or control character in %j", (topic) => {
    expect(() => parseTopic(BASE, topic)).toThrow(/wildcard or a control character/);
  });

  it("names the subscriptions of each side", () => {
    const terminal = subscriptionsOf(BASE, { terminal: addresses.terminal as never });
    expect(terminal).toContain("quan/v1/m-001/-/-/list/manifest");
    expect(terminal).toContain("quan/v1/m-001/s-01/-/journal/accepted");
    expect(terminal).toContain("quan/v1/m-001/s-01/t-07/cmd");
    expect(terminal).not.toContain("quan/v1/m-001/s-01/t-07/journal/record");
    for (const filter of terminal) expect(filter).not.toMatch(/[+#]/);
    const merchant = subscriptionsOf(BASE, { merchant: "m-001" });
    expect(merchant).toContain("quan/v1/m-001/+/+/journal/record");
    expect(merchant).toContain("quan/v1/m-001/+/+/status");
    expect(merchant).not.toContain("quan/v1/m-001/+/+/journal/ack");
  });
});
