import type { z } from "zod";
import type { Address, Scope } from "./address.js";
import { commandReplySchema, commandSchema } from "./payloads/command.js";
import { acceptedSchema, ackSchema, conflictSchema, travellingRecordSchema } from "./payloads/journal.js";
import { listChunkSchema, listManifestSchema, listResyncSchema, listWantSchema } from "./payloads/list.js";
import { healthSchema, statusSchema } from "./payloads/status.js";

/**
 * The whole MQTT link in one table, read by both sides: each topic's scope and leaf
 * (`{base}/{merchant}/{store}/{terminal}/{leaf}`), its payload schema, who publishes it, QoS,
 * retain, and the largest payload a reader accepts (checked on the raw bytes before parsing).
 * `signed` payloads are `quan.signed/1` envelopes whose `document` follows `schema`.
 * Everything works on MQTT 3.1.1: nothing here needs an MQTT 5 property.
 */
export interface TopicSpec<S extends z.ZodType = z.ZodType> {
  scope: Scope;
  leaf: string;
  schema: S;
  from: "terminal" | "merchant";
  qos: 0 | 1;
  retain: boolean;
  signed: boolean;
  maxBytes: number;
  /** One line for the docs table. */
  about: string;
}

const KiB = 1024;

function spec<S extends z.ZodType, C extends Scope>(
  s: TopicSpec<S> & { scope: C },
): TopicSpec<S> & { scope: C } {
  return s;
}

/** The list and the accepted records stand at several scopes: one contract, each scope's retain and purpose. */
const listManifest = {
  leaf: "list/manifest",
  schema: listManifestSchema,
  from: "merchant",
  qos: 1,
  signed: true,
  maxBytes: 128 * KiB,
} as const;
const listChunk = {
  leaf: "list/chunk",
  schema: listChunkSchema,
  from: "merchant",
  qos: 1,
  retain: false,
  signed: false,
  maxBytes: 256 * KiB,
} as const;
const accepted = {
  leaf: "journal/accepted",
  schema: acceptedSchema,
  from: "merchant",
  qos: 1,
  retain: false,
  signed: false,
  maxBytes: 64 * KiB,
} as const;

export const TOPICS = {
  merchantListManifest: spec({
    ...listManifest,
    scope: "merchant",
    retain: true,
    about: "signed manifest of the list in force for every store",
  }),
  storeListManifest: spec({
    ...listManifest,
    scope: "store",
    retain: true,
    about: "signed manifest of the list in force for one store",
  }),
  terminalListManifest: spec({
    ...listManifest,
    scope: "terminal",
    retain: false,
    about: "signed snapshot manifest for one terminal (answer to a resync)",
  }),
  merchantListChunk: spec({
    ...listChunk,
    scope: "merchant",
    about: "the chunks of a merchant-wide list, once, after its manifest",
  }),
  storeListChunk: spec({
    ...listChunk,
    scope: "store",
    about: "the chunks of a store's list, once, after its manifest",
  }),
  terminalListChunk: spec({
    ...listChunk,
    scope: "terminal",
    about: "chunks one terminal asked for, or its resync snapshot",
  }),
  listWant: spec({
    scope: "terminal",
    leaf: "list/want",
    schema: listWantSchema,
    from: "terminal",
    qos: 1,
    retain: false,
    signed: false,
    maxBytes: 16 * KiB,
    about: '"send me these chunks"',
  }),
  listResync: spec({
    scope: "terminal",
    leaf: "list/resync",
    schema: listResyncSchema,
    from: "terminal",
    qos: 1,
    retain: false,
    signed: false,
    maxBytes: 2 * KiB,
    about: '"send me a full list" (version gap, wrong base, nothing held)',
  }),
  record: spec({
    scope: "terminal",
    leaf: "journal/record",
    schema: travellingRecordSchema,
    from: "terminal",
    qos: 1,
    retain: false,
    signed: false,
    maxBytes: 64 * KiB,
    about: "one journal record (redemption or void), in journal order",
  }),
  ack: spec({
    scope: "terminal",
    leaf: "journal/ack",
    schema: ackSchema,
    from: "merchant",
    qos: 1,
    retain: false,
    signed: false,
    maxBytes: 64 * KiB,
    about: "records the merchant has durably committed",
  }),
  conflict: spec({
    scope: "terminal",
    leaf: "journal/conflict",
    schema: conflictSchema,
    from: "merchant",
    qos: 1,
    retain: false,
    signed: false,
    maxBytes: 16 * KiB,
    about: "a code redeemed beyond its uses, involving this terminal",
  }),
  storeAccepted: spec({
    ...accepted,
    scope: "store",
    about: "a record accepted from another terminal of the store",
  }),
  merchantAccepted: spec({
    ...accepted,
    scope: "merchant",
    about: "a record of a campaign with a merchant-wide cap, from any store",
  }),
  status: spec({
    scope: "terminal",
    leaf: "status",
    schema: statusSchema,
    from: "terminal",
    qos: 1,
    retain: true,
    signed: false,
    maxBytes: 1 * KiB,
    about: "birth (`online`) and death (`offline`, the last will)",
  }),
  health: spec({
    scope: "terminal",
    leaf: "health",
    schema: healthSchema,
    from: "terminal",
    qos: 0,
    retain: false,
    signed: false,
    maxBytes: 8 * KiB,
    about: "periodic health, and the answer to `report-status`",
  }),
  command: spec({
    scope: "terminal",
    leaf: "cmd",
    schema: commandSchema,
    from: "merchant",
    qos: 1,
    retain: false,
    signed: true,
    maxBytes: 8 * KiB,
    about: "a signed command (never retained)",
  }),
  commandReply: spec({
    scope: "terminal",
    leaf: "cmd/reply",
    schema: commandReplySchema,
    from: "terminal",
    qos: 1,
    retain: false,
    signed: false,
    maxBytes: 4 * KiB,
    about: "the answer to a command, by request id",
  }),
} as const;

export type TopicName = keyof typeof TOPICS;
/** The payload (for signed topics, the signed document) of a topic. */
export type PayloadOf<N extends TopicName> = z.infer<(typeof TOPICS)[N]["schema"]>;
/** What a builder takes: the schema's input. */
export type PayloadInput<N extends TopicName> = z.input<(typeof TOPICS)[N]["schema"]>;
export type AddressOf<N extends TopicName> = Extract<Address, { scope: (typeof TOPICS)[N]["scope"] }>;

export const TOPIC_NAMES = Object.keys(TOPICS) as TopicName[];
