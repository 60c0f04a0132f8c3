import type { PinLockStatus } from "./ledger-port.js";

/** Wrong manager PINs in a row, and until when manager actions are locked; kept in the state file. */
export interface PinLockState {
  failures: number;
  /** Epoch ms; 0 when not locked. */
  lockedUntil: number;
  /** Lockouts since the last right PIN (absent in older state files: none); each doubles the next. */
  lockouts?: number;
}

export interface PinPolicy {
  /** Wrong PINs in a row that lock manager actions. */
  attempts: number;
  /** The first lockout; each further one without a right PIN in between doubles, up to maxLockoutMs. */
  lockoutMs: number;
  maxLockoutMs?: number;
}

export const PIN_POLICY_DEFAULTS: Readonly<PinPolicy> = {
  attempts: 3,
  lockoutMs: 5 * 60_000,
  maxLockoutMs: 24 * 3_600_000,
};

export const UNLOCKED: Readonly<PinLockState> = { failures: 0, lockedUntil: 0 };

/** Where the lockout stands at `now`. A lockout that has run out leaves a fresh count. */
export function pinLockStatus(state: PinLockState, policy: PinPolicy, now: number): PinLockStatus {
  if (now < state.lockedUntil) return { attemptsLeft: 0, lockedUntil: state.lockedUntil };
  const failures = state.lockedUntil > 0 ? 0 : state.failures;
  return { attemptsLeft: Math.max(0, policy.attempts - failures), lockedUntil: null };
}

/** The state after a PIN was tried at `now` (never called while locked). */
export function afterPinAttempt(
  state: PinLockState,
  policy: PinPolicy,
  ok: boolean,
  now: number,
): PinLockState {
  if (ok) return { ...UNLOCKED };
  const failures = (state.lockedUntil > 0 ? 0 : state.failures) + 1;
  const lockouts = state.lockouts ?? 0;
  if (failures < policy.attempts) return { failures, lockedUntil: 0, lockouts };
  // Without escalation three guesses every five minutes make 864 a day: a 4-digit PIN in 12 days.
  const max = policy.maxLockoutMs ?? PIN_POLICY_DEFAULTS.maxLockoutMs ?? policy.lockoutMs;
  const lockoutMs = Math.min(policy.lockoutMs * 2 ** Math.min(lockouts, 30), Math.max(max, policy.lockoutMs));
  return { failures: 0, lockedUntil: now + lockoutMs, lockouts: lockouts + 1 };
}
