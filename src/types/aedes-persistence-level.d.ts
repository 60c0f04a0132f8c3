declare module "aedes-persistence-level" {
  /** Takes an open `level` database; returns an aedes persistence. */
  export default function levelPersistence(db: unknown): unknown;
}
