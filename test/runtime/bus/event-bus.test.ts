import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { EventBus } from "../../../src/runtime/bus/event-bus.js";
import { createLogger } from "../../../src/runtime/log.js";

interface Events {
  said: { text: string };
  counted: number;
}

function bus() {
  const logged: { msg: string; owner?: string; event?: string; err?: { message: string } }[] = [];
  const log = createLogger(
    "info",
    new Writable({
      write(chunk, _enc, done) {
        logged.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  return { bus: new EventBus<Events>(log), logged };
}

describe("the event bus", () => {
  it("a listener that throws or rejects is logged with its owner; the others still hear the event", async () => {
    const { bus: b, logged } = bus();
    const heard: string[] = [];
    b.on("a", "said", () => {
      throw new Error("boom");
    });
    b.on("b", "said", async () => {
      throw new Error("later boom");
    });
    b.on("c", "said", ({ text }) => {
      heard.push(text);
    });
    expect(() => b.emit("said", { text: "hello" })).not.toThrow();
    await Promise.resolve();
    expect(heard).toEqual(["hello"]);
    expect(logged.map((l) => [l.owner, l.event, l.err?.message])).toEqual([
      ["a", "said", "boom"],
      ["b", "said", "later boom"],
    ]);
  });

  it("removes every listener of one owner and only that owner's", () => {
    const { bus: b } = bus();
    const heard: string[] = [];
    b.on("part", "said", () => void heard.push("part said"));
    b.on("part", "counted", () => void heard.push("part counted"));
    b.on("other", "said", () => void heard.push("other said"));
    b.removeOwner("part");
    b.emit("said", { text: "x" });
    b.emit("counted", 1);
    expect(heard).toEqual(["other said"]);
    expect(b.listenerCount("part")).toBe(0);
    expect(b.heard("counted")).toBe(false);
  });

  it("keeps the latest payload of each event for a listener that comes late", () => {
    const { bus: b } = bus();
    expect(b.last("counted")).toBeUndefined();
    b.emit("counted", 1);
    b.emit("counted", 2);
    expect(b.owned("late").last("counted")).toBe(2);
  });
});
