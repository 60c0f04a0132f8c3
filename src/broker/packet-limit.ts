/**
 * Reads the fixed header of every MQTT packet on a connection as its bytes go by and reports a
 * packet whose declared length exceeds `maxPacketBytes` before its body arrives. aedes has no such
 * limit: one 50 MB publish grew it to ~400 MB RSS (field notes §3), and a shop's broker must not be
 * the thing a hostile client can exhaust.
 */
export class PacketSizeWatch {
  /** Bytes of the current packet's body still to pass; -1 while reading a header. */
  private bodyLeft = -1;
  private inHeader = false;
  private lengthBytes = 0;
  private length = 0;
  private multiplier = 1;

  constructor(private readonly maxPacketBytes: number) {}

  /** Feeds the next bytes read; returns the declared size of an oversized (or malformed) packet, else null. */
  feed(chunk: Uint8Array): number | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= take;
        i += take;
        continue;
      }
      if (!this.inHeader) {
        this.inHeader = true;
        this.lengthBytes = 0;
        this.length = 0;
        this.multiplier = 1;
        i += 1; // packet type and flags
        continue;
      }
      const byte = chunk[i] as number;
      i += 1;
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes += 1;
      if ((byte & 0x80) !== 0 && this.lengthBytes < 4) continue;
      const total = 1 + this.lengthBytes + this.length;
      if (total > this.maxPacketBytes || (byte & 0x80) !== 0) return total;
      this.inHeader = false;
      this.bodyLeft = this.length;
    }
    return null;
  }
}
