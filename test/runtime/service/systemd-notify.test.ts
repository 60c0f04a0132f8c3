import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../src/runtime/log.js";
import { SystemdNotifier } from "../../../src/runtime/service/systemd-notify.js";

/** A stand-in for systemd's own systemd-notify: it records the messages it was asked to send. */
function fakeSystemdNotify(): { command: string; sent: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), "quan-notify-"));
  const log = join(dir, "sent");
  writeFileSync(log, "");
  const command = join(dir, "systemd-notify");
  writeFileSync(command, `#!/bin/sh\necho "$*" >> '${log}'\n`);
  chmodSync(command, 0o755);
  return { command, sent: () => readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("systemd notifications", () => {
  it("ready, then watchdog pings only while healthy, then stopping", async () => {
    const fake = fakeSystemdNotify();
    const env = { NOTIFY_SOCKET: "/run/fake", WATCHDOG_USEC: "100000" };
    const notifier = new SystemdNotifier(env, silentLogger(), fake.command);
    let healthy = true;
    notifier.ready();
    notifier.startWatchdog(() => healthy);
    await settle(300);
    const whileHealthy = fake.sent().filter((m) => m === "WATCHDOG=1").length;
    expect(whileHealthy).toBeGreaterThanOrEqual(3);
    healthy = false;
    // Pings already on their way (a spawned process each) may still land: let them.
    await settle(500);
    const atFailure = fake.sent().length;
    await settle(300);
    expect(fake.sent().length).toBe(atFailure);
    notifier.stopping();
    await settle(150);
    expect(fake.sent()[0]).toBe("--ready STATUS=redeeming");
    expect(fake.sent().at(-1)).toBe("STOPPING=1");
  });

  it("is silent outside systemd", async () => {
    const fake = fakeSystemdNotify();
    const notifier = new SystemdNotifier({}, silentLogger(), fake.command);
    notifier.ready();
    notifier.startWatchdog(() => true);
    notifier.stopping();
    await settle(100);
    expect(fake.sent()).toEqual([]);
  });
});
