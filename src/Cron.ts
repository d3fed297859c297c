/**
 * Calendar schedules: wait for the next time a cron expression matches (09:00 on weekdays in Paris).
 *
 * Use `cron` with `repeat` to run a job at wall-clock times, or to poll on a calendar; combine it like any schedule
 * (`maxRetries`, `union`, `whileOutput`). The parsing, the time zones and the daylight-saving rules are those of
 * [croner](https://github.com/hexagon/croner), an optional peer dependency that this entry alone needs:
 * `npm install croner`.
 *
 * A calendar schedule reads the date from the step's `now`, so it needs a clock whose `now()` is in epoch
 * milliseconds: the live clock, or a `TestClock` started at a date (`TestClock.make(Date.UTC(2025, 2, 28))`). On a
 * `TestClock` started at 0 it still works, in January 1970.
 *
 * @since 0.2.0
 */
import { Cron as Croner } from 'croner'
import type { Schedule } from './Schedule'
import { continueAfter, done, make } from './Schedule'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The options of `cron`.
 *
 * - `timezone`: the IANA time zone in which the expression is read (`'Europe/Paris'`, `'UTC'`); by default, the
 *   process's local time zone (the `TZ` environment variable, or the system's), so set it on servers.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as Cron from 'schedule-ts/Cron'
 * import * as S from 'schedule-ts/Schedule'
 *
 * // 09:00 in New York is 14:00 UTC in winter
 * const options: Cron.CronOptions = { timezone: 'America/New_York' }
 * const [first] = pipe(Cron.cron('0 9 * * *', options), S.simulate({ steps: 1, start: Date.UTC(2025, 0, 1) }))
 * assert.deepStrictEqual(first.output, new Date('2025-01-01T14:00:00Z'))
 * assert.deepStrictEqual(first.delay, 14 * 60 * 60 * 1000)
 *
 * @category model
 * @since 0.2.0
 */
export interface CronOptions {
  readonly timezone?: string | undefined
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const FN = 'Cron.cron'

/** How much of a bad value an error message quotes. */
const QUOTE_LIMIT = 100

/** The largest distance from the epoch a `Date` can hold, in ms. */
const MAX_DATE = 8.64e15

const quote = (value: string): string =>
  JSON.stringify(value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}...` : value)

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const checkTimezone = (timezone: unknown): string | undefined => {
  if (timezone === undefined) {
    return undefined
  }
  if (typeof timezone !== 'string') {
    throw new TypeError(`${FN}: timezone must be a string (an IANA time zone), got ${typeof timezone}`)
  }
  try {
    // throws a RangeError for a name that Intl (and so croner) does not know
    new Intl.DateTimeFormat('en-US', { timeZone: timezone })
  } catch {
    throw new RangeError(`${FN}: timezone must be an IANA time zone such as "Europe/Paris", got ${quote(timezone)}`)
  }
  return timezone
}

const parse = (expression: string, timezone: string | undefined): Croner => {
  const invalid = (why: string): RangeError =>
    new RangeError(`${FN}: expression must be a cron expression of 5 or 6 fields, got ${quote(expression)}: ${why}`)
  let job: Croner
  try {
    job = new Croner(expression, { timezone, mode: '5-or-6-parts' })
  } catch (error) {
    throw invalid(message(error))
  }
  if (job.getOnce() !== null) {
    // croner reads a string with a colon as a date to run at once
    throw invalid('that is a date, not a cron expression')
  }
  // with 5 or 6 fields a pattern repeats every 400 years, and croner looks up to the year 2999: none after 1970 means
  // none ever (February 30th)
  if (job.nextRun(new Date(0)) === null) {
    throw invalid('it never matches')
  }
  return job
}

/** The first time after `now` that croner's sequence of matches has, or `null` past croner's last year. */
const nextAfter = (job: Croner, now: number): Date | null => {
  const next = job.nextRun(new Date(now))
  if (next === null || next.getTime() > now) {
    return next
  }
  // `now` is in the second pass of an hour that a change from summer time repeats, and croner answered with a time of
  // the first pass, which is past. Whether croner's answer from a time r is after now is false, then true as r grows:
  // the first whole second at which it is true (found by doubling, then halving) gives the first match after the
  // repeated hour, which is the answer (a match within the hour ran in its first pass)
  const isAfterNow = (r: number): boolean => {
    const answer = job.nextRun(new Date(r))
    return answer === null || answer.getTime() > now
  }
  let below = Math.floor(now / 1000) * 1000
  let step = 1000
  let above = below + step
  while (!isAfterNow(above)) {
    below = above
    step *= 2
    above = below + step
  }
  while (above - below > 1000) {
    const middle = below + Math.floor((above - below) / 2000) * 1000
    if (isAfterNow(middle)) {
      above = middle
    } else {
      below = middle
    }
  }
  return job.nextRun(new Date(above))
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A schedule that waits, at each step, until the next time the cron `expression` matches strictly after `now`, and
 * outputs that time as a `Date`.
 *
 * Use it with `repeat` for work at wall-clock times (a report at 09:00 on weekdays, a poll at the top of each hour),
 * or to retry at the next slot. The syntax is croner's: 5 fields (minute, hour, day of month, month, day of week) or 6
 * with seconds first, names (`MON`, `JAN`), `L` (last day, or last Friday as `5L`), `W` (nearest weekday), `#` (`5#2`,
 * the second Friday) and nicknames (`@daily`); when both the day of month and the day of week are restricted, either
 * one matching is enough (as in Vixie cron). Throws a `TypeError` when `expression` is not a string or `timezone` not a
 * string, and a `RangeError` naming the argument when the expression is invalid or never matches, or the time zone is
 * unknown.
 *
 * Gotchas:
 *
 * - `now` must be epoch ms (the live clock, or a `TestClock` started at a date): a step with a `now` that is not a
 *   date throws a `RangeError`.
 * - With `repeat`, the first run happens at once, as with every schedule; the schedule only decides when the next ones
 *   run. A run that ends after the next match skips it: the wait is to the first match after the run, and missed
 *   matches are not replayed.
 * - Daylight saving, as croner handles it (in Paris, clocks go from 02:00 to 03:00 on the last Sunday of March and from
 *   03:00 back to 02:00 on the last Sunday of October): a time the spring change skips runs once, an hour later
 *   (`30 2 * * *` runs at 03:30 that day, when the wait starts before the change); a time the autumn change repeats
 *   runs once, at its first occurrence, and a step taken during the repeated hour waits for the first match after it.
 * - The output is the time that was aimed at; the run may start a little later, never earlier.
 * - The schedule is done only when croner finds no later time: it looks no further than the end of the year 2999.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as Cron from 'schedule-ts/Cron'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Repeat from 'schedule-ts/TaskEither'
 * import * as TestClock from 'schedule-ts/TestClock'
 *
 * // 09:00 on weekdays, Paris time: from Friday 28 March 2025, 12:00 UTC, across the change to summer time
 * const weekdays = Cron.cron('0 9 * * 1-5', { timezone: 'Europe/Paris' })
 * assert.deepStrictEqual(
 *   pipe(weekdays, S.simulate({ steps: 2, start: Date.UTC(2025, 2, 28, 12) })).map((s) => s.output.toISOString()),
 *   ['2025-03-31T07:00:00.000Z', '2025-04-01T07:00:00.000Z']
 * )
 *
 * // repeat a job at those times, on a TestClock started at a date
 * const clock = TestClock.make(Date.UTC(2025, 2, 28, 7, 30)) // Friday, 08:30 in Paris
 * const runs: Array<string> = []
 * const job = TE.fromIO(() => {
 *   runs.push(new Date(clock.now()).toISOString())
 * })
 * const done = pipe(job, Repeat.repeat(pipe(weekdays, S.maxRetries(2)), { clock }))()
 * clock
 *   .runAll()
 *   .then(() => done)
 *   .then(() =>
 *     assert.deepStrictEqual(runs, ['2025-03-28T07:30:00.000Z', '2025-03-28T08:00:00.000Z', '2025-03-31T07:00:00.000Z'])
 *   )
 *
 * @category constructors
 * @since 0.2.0
 */
export const cron = (expression: string, options?: CronOptions): Schedule<unknown, Date> => {
  if (typeof expression !== 'string') {
    throw new TypeError(`${FN}: expression must be a string (a cron expression), got ${typeof expression}`)
  }
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${FN}: options must be an object, got ${options === null ? 'null' : typeof options}`)
  }
  const timezone = checkTimezone(options?.timezone)
  // croner's job is used only to compute next times: it never starts a timer, and `nextRun(date)` reads none of its
  // own state, so one job is shared by every run of the schedule
  const job = parse(expression, timezone)
  return make(undefined, (_input: unknown, { now }) => {
    if (typeof now !== 'number' || !(Math.abs(now) <= MAX_DATE)) {
      throw new RangeError(`${FN}: the step's now must be a date in epoch milliseconds, got ${String(now)}`)
    }
    const next = nextAfter(job, now)
    return next === null ? done : continueAfter(next.getTime() - now, next, undefined)
  })
}
