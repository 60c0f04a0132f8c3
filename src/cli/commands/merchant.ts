import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PublishError, preparePublication, rememberList } from "../../merchant/list-publishing.js";
import { loadMerchantConfig, type MerchantConfig } from "../../merchant/merchant-config.js";
import { MerchantService } from "../../merchant/merchant-service.js";
import { SqliteRecord } from "../../merchant/record/sqlite-record.js";
import { withTimeout } from "../../mqtt/connection.js";
import type { RedeemEntry } from "../../protocol/journal/index.js";
import { TOPIC_ID } from "../../protocol/mqtt/address.js";
import { COMMANDS, type CommandReply, MAX_COMMAND_VALIDITY_MS, topicFor } from "../../protocol/mqtt/index.js";
import { ulid } from "../../runtime/ids.js";
import { csvHeader, csvRows, UTF8_BOM } from "../../runtime/ledger/csv-export.js";
import { createLogger } from "../../runtime/log.js";
import { CliError, EXIT, type Io } from "../cli-error.js";

const USAGE =
  "usage: quan merchant serve|export|conflicts|terminals --config MERCHANT.json [--no-bom] (export)\n" +
  "       quan merchant publish --config MERCHANT.json --list LIST.json [--store S] [--delta]\n" +
  "       quan merchant command --config MERCHANT.json --store S --terminal T report-status|resync-list|print-test-page [--timeout SECONDS]";

/**
 * quan merchant serve: the reference merchant service, until SIGTERM or Ctrl-C.
 * quan merchant export | conflicts | terminals: read its record (safe while it serves: WAL).
 */
export async function merchantCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      terminal: { type: "string" },
      timeout: { type: "string" },
      config: { type: "string" },
      "no-bom": { type: "boolean" },
      list: { type: "string" },
      store: { type: "string" },
      delta: { type: "boolean" },
    },
  });
  if (!values.config) throw new CliError(`--config is required\n${USAGE}`);
  const config = loadMerchantConfig(values.config);
  if (sub === "serve") return serve(config, io);
  if (sub === "publish") return publish(config, io, values);
  if (sub === "command") return command(config, io, values, positionals);
  const record = await SqliteRecord.open(join(config.dataDir, "merchant.sqlite"));
  try {
    if (sub === "export") return exportCsv(record, config, io, values["no-bom"] ?? false);
    if (sub === "conflicts") {
      const conflicts = record.conflicts();
      if (conflicts.length === 0) io.out("no conflicts\n");
      for (const c of conflicts)
        io.out(
          `${c.state.padEnd(8)} ${c.code} (${c.campaign}, ${c.uses} use${c.uses === 1 ? "" : "s"}) since ${c.detectedAt}: ${c.redemptions
            .map((r) => `${r.terminal}@${r.store} ${r.at} ${r.id}`)
            .join("; ")}\n`,
        );
      return conflicts.some((c) => c.state === "open") ? EXIT.rejected : EXIT.ok;
    }
    if (sub === "terminals") {
      for (const t of record.terminals()) {
        const health = t.health
          ? (JSON.parse(t.health) as {
              outbox?: { unsent: number; oldestUnsentAt: string | null };
              list?: { version: number } | null;
            })
          : null;
        io.out(
          `${t.terminal.padEnd(12)} ${t.store.padEnd(8)} ${t.state.padEnd(8)} held through seq ${t.chainSeq}` +
            (health?.outbox
              ? `, unsent ${health.outbox.unsent}${health.outbox.oldestUnsentAt ? ` since ${health.outbox.oldestUnsentAt}` : ""}`
              : "") +
            (health?.list ? `, list v${health.list.version}` : "") +
            `, last seen ${t.lastSeen ?? "never"}\n`,
        );
      }
      const tampers = record.tampers();
      for (const t of tampers) io.err(`TAMPER ${t.terminal} seq ${t.seq} (${t.problem}): ${t.detail}\n`);
      return tampers.length > 0 ? EXIT.rejected : EXIT.ok;
    }
  } finally {
    record.close();
  }
  throw new CliError(USAGE);
}

async function serve(config: MerchantConfig, io: Io): Promise<number> {
  const log = createLogger(config.log.level, 2);
  const service = await MerchantService.open({ config, log });
  await service.start();
  log.info({ merchant: config.merchant.id, broker: config.broker.url }, "merchant service running");
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await service.stop();
  io.out("merchant service stopped\n");
  return EXIT.ok;
}

/** Every terminal's records in one file, the columns of `quan journal export`. */
function exportCsv(record: SqliteRecord, config: MerchantConfig, io: Io, noBom: boolean): number {
  const originals = new Map<string, RedeemEntry>();
  const conflicts = new Map<string, string>();
  for (const c of record.conflicts())
    for (const r of c.redemptions) conflicts.set(r.id, `${c.state} ${c.id}`);
  record.eachRecord((r) => {
    if (r.entry.type === "redeem") originals.set(r.id, r.entry);
  });
  let pending = noBom ? csvHeader() : `${UTF8_BOM}${csvHeader()}`;
  record.eachRecord((r) => {
    const e = r.entry;
    pending += csvRows(
      e,
      e.type === "void" ? originals.get(e.target) : e,
      config.timeZone,
      (id) => conflicts.get(id) ?? "",
    );
    if (pending.length >= 1 << 16) {
      io.out(pending);
      pending = "";
    }
  });
  io.out(pending);
  return EXIT.ok;
}

/** Signs the list (a snapshot, or a delta against the last one published), records it, publishes it. */
async function publish(
  config: MerchantConfig,
  io: Io,
  values: { list?: string | undefined; store?: string | undefined; delta?: boolean | undefined },
): Promise<number> {
  if (!values.list) throw new CliError(`--list is required\n${USAGE}`);
  if (values.store !== undefined && !TOPIC_ID.test(values.store))
    throw new CliError(
      `--store: "${values.store.slice(0, 40)}" is not a store id (1-64 letters, digits, _ or -)`,
    );
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(values.list, "utf8"));
  } catch (err) {
    throw new CliError(`${values.list}: cannot read it as JSON: ${(err as Error).message}`);
  }
  const log = createLogger(config.log.level, 2);
  const service = await MerchantService.open({
    config,
    log,
    tool: { suffix: "-publish", subscriptions: [] },
  });
  try {
    const prepared = (() => {
      try {
        return preparePublication(service.books.record, input, {
          merchant: config.merchant.id,
          store: values.store ?? null,
          delta: values.delta ?? false,
          privateKeyPem: readFileSync(config.merchant.privateKeyFile, "utf8"),
          now: io.now(),
        });
      } catch (err) {
        if (err instanceof PublishError) throw new CliError(err.message, EXIT.rejected);
        throw err;
      }
    })();
    rememberList(service.books.record, prepared, input);
    await service.start();
    await service.connectedWithin(30_000);
    await service.publishList(prepared);
    io.out(
      `published ${prepared.list.kind} version ${prepared.list.version} for ${values.store ? `store ${values.store}` : "every store"}: ${prepared.chunked.chunks.length} chunk(s), ${prepared.list.envelope.length} bytes\n`,
    );
    return EXIT.ok;
  } finally {
    await service.stop();
  }
}

/** Sends one signed command to one terminal and waits for its answer (exit 0 done, 3 refused/failed, 1 no answer). */
async function command(
  config: MerchantConfig,
  io: Io,
  values: { store?: string | undefined; terminal?: string | undefined; timeout?: string | undefined },
  positionals: string[],
): Promise<number> {
  const name = positionals[0];
  if (!values.store || !values.terminal || !name || !(COMMANDS as readonly string[]).includes(name))
    throw new CliError(USAGE);
  for (const [flag, id] of [
    ["--store", values.store],
    ["--terminal", values.terminal],
  ] as const)
    if (!TOPIC_ID.test(id))
      throw new CliError(`${flag}: "${id.slice(0, 40)}" is not an id (1-64 letters, digits, _ or -)`);
  const timeoutS = values.timeout === undefined ? 30 : Number(values.timeout);
  if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 600)
    throw new CliError(`--timeout: expected whole seconds from 1 to 600, got "${values.timeout}"`);
  const address = {
    scope: "terminal" as const,
    merchant: config.merchant.id,
    store: values.store,
    terminal: values.terminal,
  };
  const log = createLogger(config.log.level, 2);
  const service = await MerchantService.open({
    config,
    log,
    tool: { suffix: "-command", subscriptions: [topicFor(config.broker.base, "commandReply", address)] },
  });
  const now = io.now();
  const request = ulid(now);
  const answered = new Promise<CommandReply>((resolve) =>
    service.channel.on("commandReply", (reply) => {
      if (reply.request === request) resolve(reply);
    }),
  );
  try {
    await service.start();
    await service.connectedWithin(timeoutS * 1000);
    await service.channel.publish("command", address, {
      format: "quan.command/1",
      merchant: config.merchant.id,
      store: values.store,
      terminal: values.terminal,
      request,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + Math.min(timeoutS * 1000, MAX_COMMAND_VALIDITY_MS)).toISOString(),
      command: name as (typeof COMMANDS)[number],
    });
    const reply = await withTimeout(answered, timeoutS * 1000, `${values.terminal}'s answer`).catch(
      () => null,
    );
    if (!reply) {
      io.err(
        `${values.terminal} did not answer within ${timeoutS} s (offline? see quan merchant terminals)\n`,
      );
      return EXIT.error;
    }
    io.out(`${values.terminal}: ${name} ${reply.outcome}${reply.detail ? `: ${reply.detail}` : ""}\n`);
    return reply.outcome === "done" ? EXIT.ok : EXIT.rejected;
  } finally {
    await service.stop();
  }
}
