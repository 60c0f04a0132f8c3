import { describe, expect, it } from "vitest";
import type { InputEvent } from "../../../src/drivers/input/input-source.js";
import { cleanScanLine, hasControlBytes, LineSplitter } from "../../../src/drivers/scanner/scan-line.js";
import { SerialScanner } from "../../../src/drivers/scanner/serial-scanner.js";
import type { Logger } from "../../../src/runtime/log.js";

describe("scanner lines", () => {
  it("end with CR, LF or CRLF, even split across reads", () => {
    const s = new LineSplitter();
    expect(s.push("880000")).toEqual([]);
    expect(s.push("01\r")).toEqual([]); // a CR at the end may be half of a CRLF
    expect(s.push("\nABCD-1\rEFGH-2\n")).toEqual(["88000001", "ABCD-1", "EFGH-2"]);
    expect(s.push("LONE-CR\r")).toEqual([]);
    expect(s.flush()).toEqual(["LONE-CR"]);
  });

  it("lose their AIM symbology prefix and empty lines", () => {
    expect(cleanScanLine("]Q188000001")).toBe("88000001");
    expect(cleanScanLine("]E06901234567892")).toBe("6901234567892");
    expect(cleanScanLine("88000001")).toBe("88000001");
    expect(cleanScanLine("")).toBeNull();
  });
});

describe("control bytes in a scan", () => {
  it("are recognised: C0, DEL and C1; printable text and CJK are not", () => {
    expect(hasControlBytes("8800\u00030001")).toBe(true);
    expect(hasControlBytes("8800\u001b[2J")).toBe(true);
    expect(hasControlBytes("ab\u007f")).toBe(true);
    expect(hasControlBytes("ab\u009b")).toBe(true);
    expect(hasControlBytes("DYN-A*123456 券")).toBe(false);
  });

  it("make the serial scanner refuse the whole scan and log it", () => {
    const warnings: unknown[] = [];
    const events: InputEvent[] = [];
    const log = { warn: (obj: unknown) => warnings.push(obj) } as unknown as Logger;
    const scanner = new SerialScanner({ path: "/dev/null", baudRate: 9600, log });
    const inner = scanner as unknown as { onInput: (e: InputEvent) => void; feed(chunk: string): void };
    inner.onInput = (e) => events.push(e);
    inner.feed("X\u00031\u001bS000123\r\n88000001\r\n");
    expect(events).toEqual([{ type: "scan", text: "88000001" }]);
    expect(warnings).toEqual([{ scan: JSON.stringify("X\u00031\u001bS000123") }]);
    scanner.stop();
  });
});
