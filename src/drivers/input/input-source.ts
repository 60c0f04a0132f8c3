/**
 * What keypads and scanners deliver: keys by their physical name (the keymap turns them into
 * actions) and whole scans (one line of scanner output).
 */
export type InputEvent = { type: "key"; key: string } | { type: "scan"; text: string };

export interface InputSource {
  start(onInput: (event: InputEvent) => void): void;
  stop(): void;
}
