import { readFileSync } from "node:fs";
import { signDocument } from "../../../src/protocol/envelope/index.js";
import { ControlServer, type ControlServerOptions } from "../../../src/runtime/control/control-server.js";
import { controlSocketPath } from "../../../src/runtime/control/protocol.js";
import { silentLogger } from "../../../src/runtime/log.js";
import type { CouponStore } from "../../../src/runtime/store/coupon-store.js";
import type { Workspace } from "../../helpers/cli-harness.js";
import { listDocument } from "../../helpers/store-fixture.js";

export const NOW = Date.parse("2026-03-04T04:00:00Z");
const campaigns = [{ id: "cash", name: "Cash", kind: "amount" as const, amountOff: 1000 }];
export const code = (i: number) => `Q${String(i).padStart(11, "0")}`;
export const codes = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ code: code(from + i), campaign: "cash" }));

/** A list signed by the workspace's merchant key (or `key`), as the envelope text. */
export function signedList(
  ws: Workspace,
  version: number,
  listCodes: ReturnType<typeof codes>,
  key = readFileSync(ws.key, "utf8"),
): string {
  const doc = listDocument(campaigns, listCodes, { version, issuedAt: "2026-03-04T03:00:00Z" });
  return JSON.stringify(signDocument(JSON.stringify(doc), key));
}

/** The daemon's control server for the workspace's data dir, over `store`. */
export function controlServer(
  ws: Workspace,
  store: CouponStore,
  extra: Partial<ControlServerOptions> = {},
): ControlServer {
  return new ControlServer({
    socketPath: controlSocketPath(ws.data),
    store,
    merchant: { id: "m-test", publicKey: ws.publicKey },
    log: silentLogger(),
    now: () => NOW,
    ...extra,
  });
}

/** What a scan of `c` gets from the store: "accepted", or the reason it is not. */
export function scan(store: CouponStore, c: string): string {
  const line = store.check({ amount: 5000, coupons: [{ code: c }] }, NOW).lines[0];
  return line?.ok ? "accepted" : (line?.reason ?? "none");
}
