import type { Logger } from "../log.js";

/** A listener may be async: a rejection is logged like a throw. */
export type Listener<T> = (payload: T) => void | Promise<void>;

interface Registration {
  owner: string;
  listener: Listener<never>;
}

/** The bus as one owner (a part) sees it: what it registers is removed together when it stops. */
export interface OwnedBus<M extends object> {
  on<K extends keyof M & string>(event: K, listener: Listener<M[K]>): void;
  emit<K extends keyof M & string>(event: K, payload: M[K]): void;
  /** The payload of the latest `event` emitted, for state that a late listener needs at once. */
  last<K extends keyof M & string>(event: K): M[K] | undefined;
  /** Whether anyone listens to `event` (a request nobody can answer is refused, not left pending). */
  heard(event: keyof M & string): boolean;
}

/**
 * A typed event bus: one map of event name -> payload type (`M`) for every emitter and listener.
 * Listeners are registered by owner and removed by owner; each one is called in its own try/catch,
 * so a listener that throws (or rejects) is logged and the others, and the emitter, carry on.
 */
export class EventBus<M extends object> {
  private readonly listeners = new Map<keyof M, Registration[]>();
  private readonly latest = new Map<keyof M, unknown>();

  constructor(private readonly log: Logger) {}

  on<K extends keyof M & string>(owner: string, event: K, listener: Listener<M[K]>): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ owner, listener: listener as Listener<never> });
    this.listeners.set(event, list);
  }

  emit<K extends keyof M & string>(event: K, payload: M[K]): void {
    this.latest.set(event, payload);
    // A copy: a listener may add or remove listeners while this runs.
    for (const { owner, listener } of [...(this.listeners.get(event) ?? [])]) {
      try {
        const result = (listener as Listener<M[K]>)(payload);
        if (result instanceof Promise) result.catch((err: unknown) => this.failed(owner, event, err));
      } catch (err) {
        this.failed(owner, event, err);
      }
    }
  }

  last<K extends keyof M & string>(event: K): M[K] | undefined {
    return this.latest.get(event) as M[K] | undefined;
  }

  heard(event: keyof M & string): boolean {
    return (this.listeners.get(event)?.length ?? 0) > 0;
  }

  /** Removes every listener `owner` registered. */
  removeOwner(owner: string): void {
    for (const [event, list] of this.listeners) {
      const kept = list.filter((r) => r.owner !== owner);
      if (kept.length > 0) this.listeners.set(event, kept);
      else this.listeners.delete(event);
    }
  }

  /** How many listeners `owner` has registered (all owners when omitted). */
  listenerCount(owner?: string): number {
    let n = 0;
    for (const list of this.listeners.values())
      n += owner === undefined ? list.length : list.filter((r) => r.owner === owner).length;
    return n;
  }

  /** The bus as `owner` uses it. */
  owned(owner: string): OwnedBus<M> {
    return {
      on: (event, listener) => this.on(owner, event, listener),
      emit: (event, payload) => this.emit(event, payload),
      last: (event) => this.last(event),
      heard: (event) => this.heard(event),
    };
  }

  private failed(owner: string, event: keyof M & string, err: unknown): void {
    this.log.error({ err, owner, event }, "an event listener failed; the others carry on");
  }
}
