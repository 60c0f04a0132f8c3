/** The MQTT link's contract: topics, payloads, limits, list chunks. docs/protocol.md, "The MQTT link". */

export * from "./acl.js";
export * from "./address.js";
export * from "./chunks.js";
export * from "./codec.js";
export * from "./payloads/command.js";
export * from "./payloads/journal.js";
export * from "./payloads/list.js";
export * from "./payloads/status.js";
export * from "./record.js";
export * from "./topic-map.js";
export * from "./topics.js";
