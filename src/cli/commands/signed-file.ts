import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { MAX_ENVELOPE_BYTES } from "../../protocol/limits.js";
import { CliError, EXIT } from "../cli-error.js";

/**
 * Reads a signed envelope file, refusing one larger than a terminal ever reads before a byte of it
 * is loaded (a refused envelope: exit 3, as for any refused list).
 */
export function readSignedFile(file: string): string {
  return readSignedBytes(file).toString("utf8");
}

/** The same, as bytes: a list of a million codes is never held as a JS string (see envelope-bytes.ts). */
export function readSignedBytes(file: string): Buffer {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_ENVELOPE_BYTES)
      throw new CliError(
        `${file}: refused (malformed_envelope): ${size} bytes, larger than ${MAX_ENVELOPE_BYTES / 1024 / 1024} MiB, the most a terminal reads`,
        EXIT.rejected,
      );
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
