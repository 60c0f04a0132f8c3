import { ConsoleDrain } from "../../drivers/input/console-drain.js";
import { ConsoleInput } from "../../drivers/input/console-input.js";
import type { InputSource } from "../../drivers/input/input-source.js";
import { HidInput } from "../../drivers/keypad/hid-input.js";
import { SerialScanner } from "../../drivers/scanner/serial-scanner.js";
import type { Part, PartContext } from "./part.js";

/** The inputs: every keypad and scanner, their keys and scans put on the bus. */
export const inputsPart: Part = {
  name: "inputs",
  start(ctx) {
    const sources = ctx.devices.inputs ?? configuredInputs(ctx);
    const started: InputSource[] = [];
    try {
      for (const source of sources) {
        source.start((event) => ctx.bus.emit("input", event));
        started.push(source);
      }
    } catch (err) {
      for (const source of started.reverse()) source.stop();
      throw err;
    }
    return {
      stop() {
        for (const source of [...sources].reverse()) source.stop();
      },
    };
  },
};

/** The console keyboard (keypad and keyboard-wedge scanners type into it) and HID or serial devices. */
function configuredInputs({ config, devices, log, bus }: PartContext): InputSource[] {
  const sources: InputSource[] = [];
  const input = devices.input;
  if (config.input.kind === "stdin") {
    const interrupt = () => bus.emit("stop.requested", { code: 0, reason: "Ctrl-C on the console" });
    sources.push(new ConsoleInput(input, interrupt, log.child({ device: "console" })));
  } else if (input.isTTY) sources.push(new ConsoleDrain(input));
  if (config.keypad.kind === "hid") {
    sources.push(
      new HidInput({ path: config.keypad.path, role: "keypad", log: log.child({ device: "keypad" }) }),
    );
  }
  if (config.scanner.kind === "hid") {
    sources.push(
      new HidInput({ path: config.scanner.path, role: "scanner", log: log.child({ device: "scanner" }) }),
    );
  }
  if (config.scanner.kind === "serial") {
    sources.push(
      new SerialScanner({
        path: config.scanner.path,
        baudRate: config.scanner.baudRate,
        log: log.child({ device: "scanner" }),
      }),
    );
  }
  return sources;
}
