import { renderScreen } from "../../ui-tty/screens/render.js";
import { TtyWriter, wantsColor } from "../../ui-tty/tty-writer.js";
import { resolveKeymap } from "../flow/keymap.js";
import type { FlowView } from "../flow/view.js";
import type { Part } from "./part.js";

/** Kernel messages and stray output can scribble over tty1: everything is repainted this often. */
const REFRESH_MS = 60_000;

/** The display: paints each view the flow announces on the console, rings the buzzer, repaints on resize. */
export const displayPart: Part = {
  name: "display",
  start({ config, log, bus, devices }) {
    const writer = new TtyWriter(devices.output, {
      color: wantsColor(config.display.color, devices.env),
      onError: (err) => log.error({ err }, "display write failed; repainting"),
    });
    const keymap = resolveKeymap(config.flow.keymap);
    let shown: FlowView | null = null;
    const paint = () => {
      if (shown) writer.paint(renderScreen(shown, { ...writer.size(), locale: config.locale, keymap }));
    };
    bus.on("view.changed", ({ view }) => {
      shown = view;
      paint();
    });
    bus.on("bell", () => writer.bell());
    const offResized = writer.onResized(paint);
    const refresh = setInterval(() => {
      writer.invalidate();
      paint();
    }, REFRESH_MS);
    return {
      stop() {
        clearInterval(refresh);
        offResized();
        writer.close();
      },
    };
  },
};
