import { afterEach, describe, expect, it } from "vitest";
import {
  ACTIONS,
  actionFor,
  DEFAULT_KEYMAP,
  KeymapError,
  PHYSICAL_KEYS,
  resolveKeymap,
} from "../../../src/runtime/flow/keymap.js";
import { FlowHarness } from "./flow-harness.js";

describe("the keymap", () => {
  it("binds every physical key to a known action by default", () => {
    expect(Object.keys(DEFAULT_KEYMAP).sort()).toEqual([...PHYSICAL_KEYS].sort());
    for (const action of Object.values(DEFAULT_KEYMAP)) expect(ACTIONS).toContain(action);
  });

  it("resolves the default layout", () => {
    const keymap = resolveKeymap();
    expect(actionFor(keymap, "7")).toEqual({ type: "digit", value: 7 });
    expect(actionFor(keymap, ".")).toEqual({ type: "dot" });
    expect(actionFor(keymap, "Enter")).toEqual({ type: "confirm" });
    expect(actionFor(keymap, "Backspace")).toEqual({ type: "backspace" });
    expect(actionFor(keymap, "-")).toEqual({ type: "cancel" });
    expect(actionFor(keymap, "*")).toEqual({ type: "menu" });
    expect(actionFor(keymap, "/")).toEqual({ type: "manual" });
    expect(actionFor(keymap, "+")).toEqual({ type: "member" });
    expect(actionFor(keymap, "NumLock")).toBeNull();
    expect(actionFor(keymap, "F1")).toBeNull();
  });

  it("applies overrides and refuses unknown names or a layout without confirm/cancel", () => {
    const keymap = resolveKeymap({ "*": "manual", "/": "menu" });
    expect(actionFor(keymap, "*")).toEqual({ type: "manual" });
    expect(() => resolveKeymap({ F1: "menu" })).toThrow(KeymapError);
    expect(() => resolveKeymap({ "*": "open_drawer" })).toThrow(/not an action/);
    expect(() => resolveKeymap({ Enter: "none" })).toThrow(/no key for: confirm/);
  });
});

describe("the flow with a custom keymap", () => {
  let h: FlowHarness;
  afterEach(() => h?.cleanup());

  it("follows the configured keys", () => {
    h = new FlowHarness({ keymap: { "*": "manual", "/": "menu" } });
    h.press("/");
    expect(h.screen.name).toBe("menu");
    h.press("-", "50", "Enter", "*", "66000001", "Enter");
    expect(h.sale()).toMatchObject({ step: "review", committable: true });
  });
});
