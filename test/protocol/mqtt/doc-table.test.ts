import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { TOPIC_NAMES, TOPICS } from "../../../src/protocol/mqtt/index.js";

// docs/protocol.md's topics table is what a server developer implements from: it must say what the map says.
it("the topics table of docs/protocol.md says what TOPICS says", () => {
  const doc = readFileSync("docs/protocol.md", "utf8");
  const section = doc.slice(doc.indexOf("### Topics"), doc.indexOf("### Payloads"));
  const rows = section
    .split("\n")
    .filter((l) => l.startsWith("| `{m}"))
    .map((l) => l.split("|").map((c) => c.trim().replaceAll("`", "")));
  const table = Object.fromEntries(rows.map((c) => [c[2], c]));
  expect(Object.keys(table).sort()).toEqual([...TOPIC_NAMES].sort());
  for (const name of TOPIC_NAMES) {
    const spec = TOPICS[name];
    const ids = spec.scope === "merchant" ? "{m}/-/-" : spec.scope === "store" ? "{m}/{s}/-" : "{m}/{s}/{t}";
    expect(table[name], name).toEqual([
      "",
      `${ids}/${spec.leaf}`,
      name,
      spec.from,
      String(spec.qos),
      spec.retain ? "yes" : "no",
      String(spec.maxBytes),
      spec.about.replaceAll("`", ""),
      "",
    ]);
  }
});
