import type { FlowView } from "../../runtime/flow/view.js";
import type { Line } from "../line.js";
import { approvedScreen } from "./approved.js";
import { doneScreen } from "./done.js";
import type { ScreenOptions, ViewOf } from "./frame.js";
import { idleScreen } from "./idle.js";
import { menuScreen } from "./menu.js";
import { saleScreen } from "./sale.js";
import { voidPinScreen } from "./void-pin.js";
import { zPinScreen } from "./z-pin.js";

export type { ScreenOptions } from "./frame.js";

/** The screen for the flow's current state: exactly `rows` lines of exactly `cols` columns. */
export function renderScreen(view: FlowView, o: ScreenOptions): Line[] {
  switch (view.screen.name) {
    case "idle":
      return idleScreen(view as ViewOf<"idle">, o);
    case "sale":
      return saleScreen(view as ViewOf<"sale">, o);
    case "approved":
      return approvedScreen(view as ViewOf<"approved">, o);
    case "menu":
      return menuScreen(view as ViewOf<"menu">, o);
    case "void_pin":
      return voidPinScreen(view as ViewOf<"void_pin">, o);
    case "z_pin":
      return zPinScreen(view as ViewOf<"z_pin">, o);
    case "done":
      return doneScreen(view as ViewOf<"done">, o);
  }
}
