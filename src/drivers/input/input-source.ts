/**
 * What keypads and scanners deliver: keys by their physical name (the keymap turns them into
 * actions), whole scans (one line of scanner output), and a code being typed letter by letter on
 * the console keyboard (null when it was finished or dropped), so the screen can show it.
 */
export type InputEvent =
  | { type: "key"; key: string }
  | { type: "scan"; text: string }
  | { type: "typing"; text: string | null };

export interface InputSource {
  start(onInput: (event: InputEvent) => void): void;
  stop(): void;
}
