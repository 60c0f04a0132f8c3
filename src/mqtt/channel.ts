import {
  type AddressOf,
  buildMessage,
  type MessageProblem,
  type PayloadInput,
  type PayloadOf,
  type Publish,
  readMessage,
  type TopicName,
} from "../protocol/mqtt/index.js";
import type { Logger } from "../runtime/log.js";
import type { SupervisedConnection } from "./connection.js";

/*
 * The typed face of a connection: publishes go through the protocol's builder (schema, signature,
 * size limits: nothing leaves that the other side must refuse, or that the broker would refuse and
 * MQTT.js would then re-send forever), and every message that arrives is read with the limits
 * first and handed to the handler of its topic name. A message that fails any check is counted by
 * problem, logged (at most once per problem per minute) and changes nothing.
 */

export type Handler<N extends TopicName> = (
  payload: PayloadOf<N>,
  address: AddressOf<N>,
) => void | Promise<void>;

export interface ChannelOptions {
  base: string;
  reader: "terminal" | "merchant";
  /** Pinned merchant key (base64 raw Ed25519) for signed topics. */
  publicKey: string;
  maxPacketBytes: number;
  /** The merchant's signing key (PKCS#8 PEM), for the merchant's signed publishes. */
  privateKeyPem?: string;
  log: Logger;
}

export class Channel {
  private readonly handlers = new Map<TopicName, Handler<TopicName>>();
  private readonly rejectedCounts = new Map<string, number>();
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly connection: Pick<SupervisedConnection, "publish">,
    private readonly options: ChannelOptions,
  ) {}

  on<N extends TopicName>(name: N, handler: Handler<N>): void {
    this.handlers.set(name, handler as unknown as Handler<TopicName>);
  }

  /** Builds (validates, signs, checks sizes) and publishes; resolves on the broker's PUBACK. */
  publish<N extends TopicName>(name: N, address: AddressOf<N>, payload: PayloadInput<N>): Promise<void> {
    return this.connection.publish(this.build(name, address, payload));
  }

  build<N extends TopicName>(name: N, address: AddressOf<N>, payload: PayloadInput<N>): Publish {
    const { base, maxPacketBytes, privateKeyPem } = this.options;
    return buildMessage(name, address, payload, {
      base,
      maxPacketBytes,
      ...(privateKeyPem ? { privateKeyPem } : {}),
    });
  }

  /** Messages refused since start, by problem. */
  get rejected(): Record<string, number> {
    return Object.fromEntries(this.rejectedCounts);
  }

  /** For the connection's onMessage. */
  readonly receive = (topic: string, bytes: Buffer): void => {
    const result = readMessage(topic, bytes, {
      base: this.options.base,
      publicKey: this.options.publicKey,
      reader: this.options.reader,
    });
    if (!result.ok) {
      this.reject(result.problem, result.message, topic);
      return;
    }
    const handler = this.handlers.get(result.name);
    if (!handler) {
      this.reject("unhandled", `${result.name}: nobody here reads it`, topic);
      return;
    }
    Promise.resolve()
      .then(() => handler(result.payload as never, result.address as never))
      .catch((err: Error) => {
        this.reject(
          err.name === "RefusedMessage" ? refusalProblem(err) : "handler_failed",
          err.message,
          topic,
        );
      });
  };

  /** Counts and logs a refused message (handlers call it for what only they can judge, e.g. a stale version). */
  reject(problem: MessageProblem | string, message: string, topic = ""): void {
    this.rejectedCounts.set(problem, (this.rejectedCounts.get(problem) ?? 0) + 1);
    const now = Date.now();
    if ((this.lastLogged.get(problem) ?? 0) + 60_000 > now) return;
    this.lastLogged.set(problem, now);
    this.options.log.warn(
      { problem, topic: topic.slice(0, 200), count: this.rejectedCounts.get(problem) },
      `link: message refused: ${message.slice(0, 300)}`,
    );
  }
}

/** A handler's refusal of a well-formed message (stale version, unknown request): counted under its problem. */
export class RefusedMessage extends Error {
  override name = "RefusedMessage";
  constructor(
    readonly problem: string,
    message: string,
  ) {
    super(message);
  }
}

/** A refusal's problem (RefusedMessage, or any error named so that carries a `problem`). */
function refusalProblem(err: Error): string {
  const problem = (err as { problem?: unknown }).problem;
  return typeof problem === "string" ? problem : "refused";
}
