/**
 * What every phase of the benchmark shares: the settings of a full or a quick run, the contenders
 * and where each phase writes its figures.
 */
import type { Contender, NotApplicable } from './contenders'
import type { Cell, Column } from './report'

/** How much each phase measures: a full run, or a quick one of a few seconds. */
export interface Settings {
  readonly happyWarmup: number
  /** How long a happy-path batch lasts, in ms: each contender's batch size is set from its warm-up to last about this long. */
  readonly happyBatchMs: number
  readonly happyRounds: number
  readonly zeroFailures: number
  readonly zeroRounds: number
  readonly zeroProbe: number
  readonly zeroBudget: number
  readonly bigRetries: number
  readonly bigLimit: number
  readonly steps: number
  readonly stepWarmup: number
  readonly stepBudget: number
  readonly pending: number
  readonly shortSleep: number
  readonly abortSamples: number
  readonly abortShortSleep: number
}

export const settingsFor = (quick: boolean): Settings =>
  quick
    ? {
        happyWarmup: 2_000,
        happyBatchMs: 1,
        happyRounds: 5,
        zeroFailures: 10_000,
        zeroRounds: 2,
        zeroProbe: 20,
        zeroBudget: 100,
        bigRetries: 100_000,
        bigLimit: 100,
        steps: 100_000,
        stepWarmup: 2_000,
        stepBudget: 100,
        pending: 1_000,
        shortSleep: 300,
        abortSamples: 5,
        abortShortSleep: 50
      }
    : {
        happyWarmup: 50_000,
        happyBatchMs: 5,
        happyRounds: 15,
        zeroFailures: 10_000,
        zeroRounds: 7,
        zeroProbe: 100,
        zeroBudget: 600,
        bigRetries: 100_000,
        bigLimit: 4_000,
        steps: 1_000_000,
        stepWarmup: 10_000,
        stepBudget: 3_000,
        pending: 10_000,
        shortSleep: 1_000,
        abortSamples: 15,
        abortShortSleep: 200
      }

/** A delay long enough that nothing wakes up during a measurement; runs are aborted instead. */
export const LONG_SLEEP = 60_000

/** What a phase runs with. */
export interface Bench {
  readonly settings: Settings
  readonly contenders: ReadonlyArray<Contender>
  readonly isNotApplicable: (u: unknown) => u is NotApplicable
  /** Records the figure of `contender` in `column`. */
  readonly set: (contender: Contender, column: Column, cell: Omit<Cell, 'ratio'>) => void
  /** Records that `column` does not apply to `contender`, and why. */
  readonly notApplicable: (contender: Contender, column: Column, why: string, unit: string) => void
  /** Progress, on stderr. */
  readonly log: (message: string) => void
  /** A line printed above the table: a figure that is not a column of it. */
  readonly headline: (line: string) => void
}

/** One phase of the benchmark: measures every contender and records its figures. */
export type Phase = (bench: Bench) => Promise<void>
