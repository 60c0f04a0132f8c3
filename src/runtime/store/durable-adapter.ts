import { readFileSync } from "node:fs";
import { LowSync, type SyncAdapter } from "lowdb";
import { writeFileDurable } from "./durable-file.js";

/** A data file that exists but cannot be read as JSON: never treated as "empty, use the defaults". */
export class CorruptFileError extends Error {
  override name = "CorruptFileError";
  constructor(
    readonly path: string,
    problem: string,
    cause?: unknown,
  ) {
    super(`${path} ${problem}; restore it from backup or remove it to start empty`, { cause });
  }
}

/** A lowdb adapter whose writes survive power cuts (see writeFileDurable). */
export class DurableJsonFile<T> implements SyncAdapter<T> {
  constructor(readonly path: string) {}

  /** null only when the file does not exist, which lowdb turns into the default data. */
  read(): T | null {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new CorruptFileError(this.path, `is not valid JSON (${(err as Error).message})`, err);
    }
    // lowdb would quietly keep the defaults for a file holding null, false, 0 or "".
    if (!data) throw new CorruptFileError(this.path, `holds ${JSON.stringify(data)} instead of data`);
    return data as T;
  }

  write(data: T): void {
    writeFileDurable(this.path, JSON.stringify(data));
  }
}

/** A lowdb database on `path`, already read; `db.write()` returns once the new content is on disk. */
export function openDurableDb<T>(path: string, defaultData: T): LowSync<T> {
  const db = new LowSync<T>(new DurableJsonFile<T>(path), defaultData);
  db.read();
  return db;
}
