import { printDemoBanner, waitForEnter } from "../demo/demo-banner.js";
import type { DemoSetup } from "../demo/demo-setup.js";
import type { Part } from "./part.js";

/**
 * The demo (`npm start`): puts the freshly signed demo list in force, shows the codes to try and
 * waits for Enter before the display takes the screen. Started before the display for that reason.
 */
export function demoPart(demo: DemoSetup): Part {
  return {
    name: "demo",
    async start({ ledger, devices, config, now }) {
      ledger.importList(demo.signedList, now());
      printDemoBanner(devices.output, demo, config);
      await waitForEnter(devices.input);
      return { stop() {} };
    },
  };
}
