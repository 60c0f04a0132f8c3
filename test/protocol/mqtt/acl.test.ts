import { describe, expect, it } from "vitest";
import { mosquittoAcl, TOPIC_NAMES, TOPICS } from "../../../src/protocol/mqtt/index.js";
import { quan } from "../../helpers/cli-harness.js";

describe("the Mosquitto ACL generated from the topic table", () => {
  it("lets a terminal write only what it publishes, on its own terminal segment, and read the rest", () => {
    const acl = mosquittoAcl("quan/v1", { id: "m1", user: "merchant-m1" });
    for (const name of TOPIC_NAMES) {
      const spec = TOPICS[name];
      const line = acl
        .split("\n")
        .find((l) => l.endsWith(`/${spec.leaf}`) && l.includes(spec.scope === "terminal" ? "/%u/" : "/-/"));
      expect(line, name).toBeDefined();
      const verb =
        name === "status"
          ? "pattern readwrite "
          : spec.from === "terminal"
            ? "pattern write "
            : "pattern read ";
      expect(line?.startsWith(verb), name).toBe(true);
    }
    expect(acl).toContain("pattern write quan/v1/m1/+/%u/journal/record");
    expect(acl).not.toMatch(/pattern write .*journal\/ack/);
    expect(acl).toMatch(/user merchant-m1\ntopic readwrite quan\/v1\/m1\/#/);
  });

  it("quan broker acl prints it, and refuses an id that cannot be in a topic", async () => {
    const ok = await quan(["broker", "acl", "--merchant", "m1"]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("pattern read quan/v1/m1/+/%u/cmd");
    const bad = await quan(["broker", "acl", "--merchant", "m/#"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("cannot be used in a topic");
  });
});
