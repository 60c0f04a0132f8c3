import { existsSync, readFileSync } from "node:fs";
import { LowSync, type SyncAdapter } from "lowdb";
import { writeFileDurable } from "./durable-file.js";

export class CorruptFileError extends Error {
  override name = "CorruptFileError";
}

/** A lowdb adapter whose writes survive power cuts (see writeFileDurable). */
export class DurableJsonFile<T> implements SyncAdapter<T> {
  constructor(private readonly path: string) {}

  read(): T | null {
    if (!existsSync(this.path)) return null;
    const text = readFileSync(this.path, "utf8");
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new CorruptFileError(
        `${this.path} is not valid JSON (${(err as Error).message}); restore it from backup or remove it to start empty`,
      );
    }
  }

  write(data: T): void {
    writeFileDurable(this.path, JSON.stringify(data));
  }
}

export function openDurableDb<T>(path: string, defaultData: T): LowSync<T> {
  const db = new LowSync<T>(new DurableJsonFile<T>(path), defaultData);
  db.read();
  return db;
}
