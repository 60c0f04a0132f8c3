import type { LastUse } from "../../ledger/last-use.js";
import type { Counter, UsageState } from "../../ledger/usage.js";
import {
  type Codec,
  CompactMap,
  countCodec,
  presenceCodec,
  ulidBytes,
  ulidText,
  ulidTime,
} from "./compact-map.js";
import type { Run } from "./sorted-run.js";

/** A used code: how often, and the last use (shown with a "used" verdict). */
interface CodeUse {
  count: number;
  lastUse: LastUse | null;
}

/** Store and terminal names in a code's slot are numbers into this list (a handful of names). */
export class NameDictionary {
  private readonly index = new Map<string, number>();
  constructor(readonly names: string[] = []) {
    for (const [i, n] of names.entries()) this.index.set(n, i);
  }
  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      if (i >= IRREGULAR) throw new Error("more than 65534 store and terminal names");
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }
  name(i: number): string {
    return this.names[i] ?? "?";
  }
}

/** Marks a last use kept in `irregular` (an id that is not a ULID of the record's own instant). */
const IRREGULAR = 0xffff;
const NO_USE = Buffer.alloc(16);

/** A last use's redemption id in 16 bytes, or null if it cannot be packed without loss. */
function packedId(lastUse: LastUse): Buffer | null {
  const id = ulidBytes(lastUse.redemption);
  return id && ulidTime(id) === Date.parse(lastUse.at) && ulidText(id) === lastUse.redemption ? id : null;
}

function codeCodec(dict: NameDictionary): Codec<CodeUse> {
  return {
    size: 24,
    // `irregular` is kept by lastUse.set/delete, never here: a frozen value is encoded later,
    // when the code may have a newer last use.
    encode({ count, lastUse }) {
      const b = Buffer.alloc(24);
      b.writeUInt32LE(count, 0);
      if (!lastUse) return b;
      const id = packedId(lastUse);
      if (!id) {
        b.writeUInt16LE(IRREGULAR, 4);
        return b;
      }
      b.writeUInt16LE(dict.id(lastUse.store), 4);
      b.writeUInt16LE(dict.id(lastUse.terminal), 6);
      id.copy(b, 8);
      return b;
    },
    decode(b) {
      const count = b.readUInt32LE(0);
      const id = b.subarray(8, 24);
      if (b.readUInt16LE(4) === IRREGULAR || id.equals(NO_USE)) return { count, lastUse: null };
      return {
        count,
        lastUse: {
          at: new Date(ulidTime(id)).toISOString(),
          store: dict.name(b.readUInt16LE(4)),
          terminal: dict.name(b.readUInt16LE(6)),
          redemption: ulidText(id),
        },
      };
    },
  };
}

export type RedemptionsView = UsageState["redemptions"];

/**
 * The counters validation reads, kept only for what was used: codes (count and last use),
 * members per campaign, spent TOTP tokens, in compact maps; campaigns in a plain Map (a few).
 */
export class UsageTables implements UsageState {
  readonly dict: NameDictionary;
  /** Last uses whose redemption id cannot be packed (none from this code's own ids). */
  readonly irregular: Map<string, LastUse>;
  readonly codes: CompactMap<CodeUse>;
  readonly members = new CompactMap<number>("members", countCodec);
  readonly tokens = new CompactMap<number>("tokens", presenceCodec);
  readonly campaignUses: Map<string, number>;

  constructor(
    readonly redemptions: RedemptionsView,
    saved?: { names: string[]; irregular: [string, LastUse][]; campaigns: [string, number][] },
  ) {
    this.dict = new NameDictionary(saved?.names ?? []);
    this.irregular = new Map(saved?.irregular ?? []);
    this.campaignUses = new Map(saved?.campaigns ?? []);
    this.codes = new CompactMap("codes", codeCodec(this.dict));
  }

  private use(code: string): CodeUse {
    return this.codes.get(code) ?? { count: 0, lastUse: null };
  }

  readonly codeUses: Counter = {
    get: (code) => this.use(code).count || undefined,
    set: (code, n) => this.codes.set(code, { ...this.use(code), count: n }),
    delete: (code) => this.codes.set(code, { ...this.use(code), count: 0 }),
  };

  readonly lastUse = {
    get: (code: string): LastUse | undefined => {
      const use = this.codes.get(code);
      return use?.lastUse ?? this.irregular.get(code) ?? undefined;
    },
    set: (code: string, lastUse: LastUse) => {
      this.irregular.delete(code);
      if (!packedId(lastUse)) this.irregular.set(code, lastUse);
      this.codes.set(code, { ...this.use(code), lastUse });
    },
    delete: (code: string) => {
      this.irregular.delete(code);
      this.codes.set(code, { ...this.use(code), lastUse: null });
    },
  };

  readonly memberUses: Counter = {
    get: (key) => this.members.get(key) || undefined,
    set: (key, n) => this.members.set(key, n),
    delete: (key) => this.members.set(key, 0),
  };

  readonly usedTokens = {
    has: (key: string) => this.tokens.get(key) !== undefined,
    add: (key: string) => this.tokens.set(key, 1),
  };

  get maps(): CompactMap<unknown>[] {
    return [this.codes, this.members, this.tokens] as CompactMap<unknown>[];
  }
}

/** A zero count (code or member) in the oldest run shadows nothing: dropped when merged there. */
export const isZeroCount = (run: Run, i: number) => run.values.readUInt32LE(i * run.valueSize) === 0;

/** The TOTP step in a spent token's key (code + NUL + step). */
export function tokenStep(key: Buffer): number {
  const nul = key.lastIndexOf(0);
  return Number(key.subarray(nul + 1).toString("latin1"));
}
