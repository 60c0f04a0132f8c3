/** Where and when a code was last used on this terminal, to tell the cashier. */
export interface LastUse {
  at: string;
  store: string;
  terminal: string;
  redemption: string;
}
