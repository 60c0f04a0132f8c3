import { describe, expect, it } from "vitest";
import { joinBlocks, LineBlocks } from "../../../src/runtime/control/line-blocks.js";
import { prepareList } from "../../../src/runtime/control/list-prepare.js";

describe("a request line received in blocks", () => {
  it("keeps every byte in order across block boundaries, each block its own buffer", () => {
    const input = Buffer.alloc(9 * 1024 * 1024 + 123);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7) & 0xff;
    const pending = new LineBlocks();
    for (let at = 0; at < input.length; at += 65_000) pending.append(input.subarray(at, at + 65_000));
    expect(pending.length).toBe(input.length);
    const blocks = pending.take();
    expect(new Set(blocks.map((b) => b.buffer)).size).toBe(blocks.length);
    expect(Buffer.from(joinBlocks(blocks)).equals(input)).toBe(true);
    expect(pending.length).toBe(0);
  });

  it("decodes a character split between two blocks, and refuses bytes that are not UTF-8", () => {
    const text = `${JSON.stringify({ id: "é€", command: "nope" })}`;
    const bytes = Buffer.from(text, "utf8");
    const cut = bytes.indexOf(0xe2) + 1; // inside the euro sign's three bytes
    const split = prepareList({
      request: { blocks: [bytes.subarray(0, cut), bytes.subarray(cut)] },
      target: { dir: "/nonexistent", pinned: { id: "m", publicKey: "" }, inForce: null },
    });
    expect(split).toMatchObject({ kind: "error", id: "é€", error: { code: "unknown_command" } });
    const broken = prepareList({
      request: { blocks: [bytes.subarray(0, cut)] },
      target: { dir: "/nonexistent", pinned: { id: "m", publicKey: "" }, inForce: null },
    });
    expect(broken).toMatchObject({ kind: "error", error: { code: "malformed" } });
  });
});
