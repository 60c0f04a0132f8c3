import { describe, expect, it } from "vitest";
import { cleanScanLine, LineSplitter } from "../../../src/drivers/scanner/scan-line.js";

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
