import { afterEach, describe, expect, it } from "vitest";
import type { FlowView } from "../../../src/runtime/flow/view.js";
import { CAMPAIGNS, CODES, FlowHarness, MEMBER_SALT } from "./flow-harness.js";

let h: FlowHarness;
afterEach(() => h?.cleanup());

describe("the scanner firing twice", () => {
  it("a second identical scan with no key between is the scanner firing twice", () => {
    h = new FlowHarness();
    h.scan("66000001");
    h.now += 200;
    h.scan("66000001");
    expect(h.sale().lines).toHaveLength(1);
    expect(h.view.notice).toBeNull();
  });

  it("after a key the same code again is deliberate, even inside the window", () => {
    h = new FlowHarness();
    h.scan("66000001").press("-", "-");
    expect(h.screen.name).toBe("idle");
    h.now += 300;
    h.scan("66000001");
    expect(h.sale().lines).toHaveLength(1);
  });

  it("inside a sale the double fire adds nothing and says nothing", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("66000001");
    h.now += 100;
    h.scan("66000001");
    expect(h.sale().lines).toHaveLength(1);
    expect(h.view.notice).toBeNull();
    h.now += 2000;
    h.scan("66000001");
    expect(h.sale().lines).toHaveLength(1);
    expect(h.view.notice).toMatchObject({ code: "already_in_basket", tone: "info" });
  });

  it("the window is configurable", () => {
    h = new FlowHarness({ doubleScanMs: 100 });
    h.scan("66000001");
    h.now += 150;
    h.scan("66000001");
    expect(h.view.notice).toMatchObject({ code: "already_in_basket" });
  });
});

describe("inactivity", () => {
  it("drops an uncommitted sale and goes back to idle", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("66000001");
    h.wait(59_000);
    expect(h.screen.name).toBe("sale");
    h.wait(1000);
    expect(h.screen.name).toBe("idle");
    expect(h.view.notice).toMatchObject({ code: "timeout", tone: "info" });
    expect(h.journal()).toEqual([]);
    h.wait(10_000);
    expect(h.view.notice).toBeNull();
  });

  it("each key restarts the wait; the timeout is configurable", () => {
    h = new FlowHarness({ inactivityMs: 10_000 });
    h.press("5");
    h.wait(9000).press("0").wait(9000);
    expect(h.sale().amountText).toBe("50");
    h.wait(1000);
    expect(h.screen.name).toBe("idle");
  });

  it("also leaves the menu and the PIN prompt", () => {
    h = new FlowHarness();
    h.press("*");
    h.wait(60_000);
    expect(h.screen.name).toBe("idle");
  });

  it("APPROVED stays a few seconds", () => {
    h = new FlowHarness({ resultMs: 3000 });
    h.press("50", "Enter").scan("66000001").press("Enter");
    h.wait(2999);
    expect(h.screen.name).toBe("approved");
    h.wait(1);
    expect(h.screen.name).toBe("idle");
  });
});

describe("changes", () => {
  it("are published only when the view changes", () => {
    h = new FlowHarness();
    const views: FlowView[] = [];
    const stop = h.flow.onChange((v) => views.push(v));
    h.wait(1000);
    expect(views).toHaveLength(0);
    h.press("5");
    expect(views).toHaveLength(1);
    h.wait(60_000);
    expect(views.at(-1)?.screen.name).toBe("idle");
    stop();
    h.press("5");
    expect(views.at(-1)?.screen.name).toBe("idle");
  });

  it("ticks within the minute publish nothing; the next minute on the clock does, once", () => {
    h = new FlowHarness();
    const views: FlowView[] = [];
    h.flow.onChange((v) => views.push(v));
    // NOW is 12:00:00 in Shanghai: four ticks a second for the rest of the minute change nothing.
    for (let i = 0; i < 239; i++) h.wait(250);
    expect(views).toHaveLength(0);
    h.wait(250);
    expect(views.map((v) => v.clock)).toEqual(["2026-03-04 12:01"]);
    h.wait(250);
    expect(views).toHaveLength(1);
  });

  it("a health report publishes only when it changes what the health line shows", () => {
    h = new FlowHarness();
    const views: FlowView[] = [];
    h.flow.onChange((v) => views.push(v));
    h.flow.handle({ type: "health", printer: "unknown" }, h.now);
    expect(views).toHaveLength(0);
    h.flow.handle({ type: "health", printer: "paper_low", faults: ["inputs"] }, h.now);
    expect(views.at(-1)?.health).toMatchObject({ printer: "paper_low", faults: ["inputs"] });
    h.flow.handle({ type: "health", printer: "paper_low", faults: ["inputs"] }, h.now);
    expect(views).toHaveLength(1);
  });

  it("a list put in force behind the flow's back shows on the next tick", () => {
    h = new FlowHarness();
    expect(h.view.health.listVersion).toBe(1);
    h.fx.store.importList(h.fx.signList(CAMPAIGNS, CODES, { version: 2, memberSalt: MEMBER_SALT }), h.now);
    h.wait(250);
    expect(h.view.health.listVersion).toBe(2);
  });

  it("the view is plain data", () => {
    h = new FlowHarness();
    h.press("50", "Enter").scan("88000001");
    expect(JSON.parse(JSON.stringify(h.view))).toEqual(h.view);
  });
});
