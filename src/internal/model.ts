/**
 * The values a run produces besides the computation's own: the failures the library adds
 * (`Interrupted`, `AttemptTimeout`) and how a run ended (`RetryStatus`). The runners' public modules
 * re-export them; the driver builds them. Keeping them here means no public module and the driver
 * import each other.
 *
 * @internal
 */
import type { Option } from 'fp-ts/Option'

/** The failure of a run stopped by its abort signal, with the last error of the run, if one failed. */
export interface Interrupted<E> {
  readonly _tag: 'Interrupted'
  readonly lastError: Option<E>
}

/** The failure of an attempt that ran longer than `attemptTimeout` ms. */
export interface AttemptTimeout {
  readonly _tag: 'AttemptTimeout'
  /** The number of the attempt that timed out, 1-based. */
  readonly attempt: number
  /** The limit, in ms. */
  readonly timeout: number
}

/** How a run that did not succeed ended. */
export interface RetryStatus {
  /** The attempts made, the first included. */
  readonly attempts: number
  /** The sum of the delays slept between them, in ms. */
  readonly totalDelay: number
  /** The time since the start of the first attempt, in ms. */
  readonly elapsed: number
  /** What stopped the run: the schedule was done, or the budget denied a retry. */
  readonly stoppedBy: 'schedule' | 'budget'
}

/** What an attempt sees: its number (1-based), a signal, and the previous attempt's error. */
export interface AttemptContext<E = unknown> {
  readonly attempt: number
  readonly signal: AbortSignal
  readonly lastError: Option<E>
}
