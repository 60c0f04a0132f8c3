import { describe, expect, it } from "vitest";
import { generateMerchantKeys } from "../../../src/protocol/envelope/index.js";
import {
  buildMessage,
  openTravellingRecord,
  PayloadTooLargeError,
  RecordError,
  readMessage,
  type TravellingRecord,
  travellingRecord,
} from "../../../src/protocol/mqtt/index.js";
import { serializeRecord } from "../../../src/runtime/store/journal.js";
import { sampleRedeem, sampleVoid } from "../../helpers/journal-entries.js";

const BASE = "quan/v1";
const T = { scope: "terminal", merchant: "m-001", store: "s-01", terminal: "t-07" } as const;
const keys = generateMerchantKeys();
const reply = (detail?: string) => ({
  format: "quan.command-reply/1" as const,
  terminal: "t-07",
  request: "req-000000001",
  at: "2026-11-22T03:20:01.250Z",
  outcome: "failed" as const,
  ...(detail === undefined ? {} : { detail }),
});

describe("building an outgoing message", () => {
  it("gives the topic, QoS and retain of the map, and a payload the other side reads", () => {
    const built = buildMessage("commandReply", T, reply("paper out"), {
      base: BASE,
      maxPacketBytes: 128 * 1024,
    });
    expect(built).toMatchObject({ topic: "quan/v1/m-001/s-01/t-07/cmd/reply", qos: 1, retain: false });
    const read = readMessage(built.topic, built.payload, {
      base: BASE,
      publicKey: keys.publicKey,
      reader: "merchant",
    });
    expect(read).toMatchObject({ ok: true, payload: reply("paper out") });
  });

  it("refuses a packet over the broker's limit, so the client never holds one it cannot deliver", () => {
    const payload = reply("x".repeat(400));
    const topic = "quan/v1/m-001/s-01/t-07/cmd/reply";
    const fits = buildMessage("commandReply", T, payload, { base: BASE, maxPacketBytes: 4096 });
    const packet = fits.payload.length + 5 + 2 + topic.length + 2 + 16;
    expect(() =>
      buildMessage("commandReply", T, payload, { base: BASE, maxPacketBytes: packet - 1 }),
    ).toThrow(PayloadTooLargeError);
    expect(buildMessage("commandReply", T, payload, { base: BASE, maxPacketBytes: packet }).payload).toEqual(
      fits.payload,
    );
  });

  it("refuses a payload the schema refuses, or one naming another terminal", () => {
    const options = { base: BASE, maxPacketBytes: 1 << 20 };
    expect(() => buildMessage("commandReply", T, reply("x".repeat(501)), options)).toThrow(/detail/);
    expect(() => buildMessage("commandReply", T, { ...reply(), terminal: "t-08" }, options)).toThrow(/t-08/);
  });

  it("signs signed topics with the merchant key, and refuses to without one", () => {
    const command = {
      format: "quan.command/1" as const,
      merchant: "m-001",
      store: "s-01",
      terminal: "t-07",
      request: "req-000000002",
      issuedAt: "2026-11-22T03:20:00.000Z",
      expiresAt: "2026-11-22T03:25:00.000Z",
      command: "resync-list" as const,
    };
    expect(() => buildMessage("command", T, command, { base: BASE, maxPacketBytes: 1 << 20 })).toThrow(
      /private key/,
    );
    const built = buildMessage("command", T, command, {
      base: BASE,
      maxPacketBytes: 1 << 20,
      privateKeyPem: keys.privateKeyPem,
    });
    expect(
      readMessage(built.topic, built.payload, { base: BASE, publicKey: keys.publicKey, reader: "terminal" }),
    ).toEqual({
      ok: true,
      name: "command",
      address: T,
      payload: command,
    });
    const other = generateMerchantKeys();
    expect(
      readMessage(built.topic, built.payload, { base: BASE, publicKey: other.publicKey, reader: "terminal" }),
    ).toMatchObject({ ok: false, problem: "bad_signature" });
    expect(() =>
      buildMessage(
        "command",
        T,
        { ...command, expiresAt: "2026-11-22T04:20:00.000Z" },
        {
          base: BASE,
          maxPacketBytes: 1 << 20,
          privateKeyPem: keys.privateKeyPem,
        },
      ),
    ).toThrow(/10 minutes/);
  });
});

describe("a journal record as it travels", () => {
  const entry = sampleRedeem;
  const first = serializeRecord(1, "0".repeat(64), entry);
  const voidLine = serializeRecord(2, first.hash, { ...sampleVoid, reason: "wrong bill" });
  const from = { store: "s-01", terminal: "t-07" };

  it("carries the journal's own line text and hash, which the merchant checks and chains", () => {
    const r1 = openTravellingRecord(travellingRecord(first.json, first.hash), from);
    const r2 = openTravellingRecord(travellingRecord(voidLine.json, voidLine.hash), from);
    expect(r1).toMatchObject({ seq: 1, type: "redeem", id: entry.id });
    expect(r2).toMatchObject({ seq: 2, type: "void", prev: first.hash, target: entry.id });
  });

  it("refuses a record whose text was changed, which disagrees with its envelope, or comes from another till", () => {
    const t = travellingRecord(first.json, first.hash);
    const changed: TravellingRecord = { ...t, record: t.record.replace("10240", "10241") };
    expect(() => openTravellingRecord(changed, from)).toThrow(
      expect.objectContaining({ problem: "hash_mismatch" }),
    );
    expect(() => openTravellingRecord({ ...t, seq: 2 }, from)).toThrow(
      expect.objectContaining({ problem: "disagrees" }),
    );
    expect(() => openTravellingRecord({ ...t, id: "01JD2X7Q8K3M4N5P6R7S8T9V0Z" }, from)).toThrow(RecordError);
    expect(() => openTravellingRecord(t, { store: "s-01", terminal: "t-08" })).toThrow(
      expect.objectContaining({ problem: "disagrees" }),
    );
    expect(() => openTravellingRecord(t, { store: "s-02", terminal: "t-07" })).toThrow(RecordError);
    const extra = serializeRecord(1, "0".repeat(64), { ...entry, extra: 1 } as never);
    expect(() => openTravellingRecord(travellingRecord(extra.json, extra.hash), from)).toThrow(
      expect.objectContaining({ problem: "invalid_record" }),
    );
  });
});
