/**
 * Schedules as BullMQ backoff strategies: retries that outlive the process, driven by the same
 * policy value that retries a `TaskEither` in-process.
 *
 * BullMQ keeps a failed job in Redis until its retry is due, so a deploy or a crash in the middle of
 * a backoff loses nothing; what it asks of a backoff strategy is the delay before the next attempt,
 * given only the attempt number, the error and the job. `backoffStrategy` answers with `nthDelay`:
 * it replays the schedule's first decisions, seeded by the job's id, so every worker in every
 * process computes the same (jittered) delay, and `maxElapsed` counts from the job's creation.
 *
 * `bullmq` is an optional peer dependency: this module never imports it (its types are structural),
 * so it costs nothing to the other entries. See docs/guide/durable.md.
 *
 * @since 0.2.0
 */
import { nthDelay, type Schedule } from './Schedule'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a backoff strategy reads of a BullMQ job: its `id`, which seeds the random source, and its
 * `timestamp` (epoch ms, when it was added to the queue), where the replayed time starts.
 *
 * BullMQ's `Job` and `MinimalJob` have both; a job handled by a worker always has an `id`.
 *
 * @example
 * import * as BullMQ from 'schedule-ts/BullMQ'
 *
 * const job: BullMQ.BackoffJob = { id: '42', timestamp: Date.now() }
 * assert.strictEqual(job.id, '42')
 *
 * @category model
 * @since 0.2.0
 */
export interface BackoffJob {
  readonly id?: string | undefined
  readonly timestamp: number
}

/**
 * BullMQ's `BackoffStrategy` signature, as `backoffStrategy` returns it: from the number of attempts
 * made (counting the failure that just happened), the job's backoff type, the error and the job, the
 * delay in ms before the next attempt (`0`: at once), or `-1` to fail the job.
 *
 * It is what a `Worker`'s `settings.backoffStrategy` takes.
 *
 * @example
 * import * as BullMQ from 'schedule-ts/BullMQ'
 *
 * const never: BullMQ.BackoffStrategy = () => -1
 * assert.strictEqual(never(1, 'any', new Error('boom'), { id: '1', timestamp: 0 }), -1)
 *
 * @category model
 * @since 0.2.0
 */
export type BackoffStrategy = (attemptsMade: number, type?: string, err?: Error, job?: BackoffJob) => number

/**
 * The job options `jobOptions` returns: the retry settings of a BullMQ job (`attempts` and
 * `backoff`), to spread into the options of `queue.add`.
 *
 * @example
 * import * as BullMQ from 'schedule-ts/BullMQ'
 *
 * const options: BullMQ.RetryJobOptions<'payment'> = BullMQ.jobOptions('payment')
 * assert.strictEqual(options.backoff.type, 'payment')
 *
 * @category model
 * @since 0.2.0
 */
export interface RetryJobOptions<Type extends string> {
  readonly attempts: number
  readonly backoff: { readonly type: Type }
}

// -------------------------------------------------------------------------------------
// internals
// -------------------------------------------------------------------------------------

const has = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key)

// BullMQ looks a type up among its built-in strategies (`type in builtinStrategies`, a plain object)
// before it calls a custom one: these names, and those of Object.prototype, never reach it
const shadowed = (type: string): boolean => type === 'fixed' || type === 'exponential' || type in Object.prototype

const quote = (type: string): string => JSON.stringify(type.length > 100 ? `${type.slice(0, 100)}...` : type)

const checkType = (fn: string, type: string): string => {
  if (typeof type !== 'string') {
    throw new TypeError(`${fn}: type must be a string, got ${type === null ? 'null' : typeof type}`)
  }
  if (shadowed(type)) {
    throw new RangeError(
      `${fn}: the backoff type ${quote(type)} is taken: BullMQ looks it up among its built-in strategies ` +
        'and never calls a custom one for it; choose another name'
    )
  }
  return type
}

const isSchedule = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && typeof (value as { step?: unknown }).step === 'function'

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

/**
 * Runs schedules as a BullMQ backoff strategy: give the result to each `Worker` as
 * `settings.backoffStrategy`, and add jobs with `jobOptions(name)`.
 *
 * For a job whose backoff type names one of `schedules`, the delay before the next attempt is
 * `nthDelay(attemptsMade, { seed: job.id, input: err, start: job.timestamp, now: Date.now() })`,
 * rounded to whole ms, and `-1` (fail the job) once the schedule is done. So every worker computes
 * the same jittered delay for a job, `maxElapsed` counts from when the job was added, and a
 * `whileInput` predicate sees the error that just happened. Gotchas: the schedules' input is
 * `Error | undefined` (BullMQ's type allows a missing error); `"fixed"`, `"exponential"` and the
 * names of `Object.prototype` are refused, since BullMQ never calls a custom strategy for them; an
 * unknown type throws a `RangeError` naming the known ones, which BullMQ reports as a worker `error`
 * while the job stays active until its stalled check.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as BullMQ from 'schedule-ts/BullMQ'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const strategy = BullMQ.backoffStrategy({ payment: pipe(S.exponential(1_000), S.jittered, S.maxRetries(5)) })
 * // new Worker('payments', charge, { connection, settings: { backoffStrategy: strategy } })
 *
 * // what BullMQ asks after the first failure of job 42: 1 s, jittered
 * const job = { id: '42', timestamp: Date.now() }
 * const first = strategy(1, 'payment', new Error('503'), job)
 * assert.ok(first >= 800 && first <= 1_200)
 * // any worker, in any process, answers the same
 * assert.strictEqual(BullMQ.backoffStrategy({ payment: pipe(S.exponential(1_000), S.jittered, S.maxRetries(5)) })(1, 'payment', new Error('503'), job), first)
 * // after the sixth failure the schedule is done: -1 fails the job
 * assert.strictEqual(strategy(6, 'payment', new Error('503'), job), -1)
 *
 * @category running
 * @since 0.2.0
 */
export const backoffStrategy = (
  schedules: Readonly<Record<string, Schedule<Error | undefined, unknown>>>
): BackoffStrategy => {
  const fn = 'BullMQ.backoffStrategy'
  if (schedules === null || typeof schedules !== 'object' || Array.isArray(schedules)) {
    throw new TypeError(`${fn}: schedules must be an object of schedules by backoff type`)
  }
  // a copy: the strategy does not change when the caller's object does
  const known: Record<string, Schedule<Error | undefined, unknown>> = Object.create(null)
  for (const type of Object.keys(schedules)) {
    checkType(fn, type)
    if (!isSchedule(schedules[type])) {
      throw new TypeError(`${fn}: schedules[${quote(type)}] must be a Schedule`)
    }
    known[type] = schedules[type]
  }
  const names = Object.keys(known)
  const knownList = names.length === 0 ? 'none' : names.map(quote).join(', ')
  return (attemptsMade, type, err, job) => {
    if (!Number.isSafeInteger(attemptsMade) || attemptsMade < 1) {
      const message = `${fn}: attemptsMade must be an integer >= 1, got ${String(attemptsMade)}`
      throw typeof attemptsMade === 'number' ? new RangeError(message) : new TypeError(message)
    }
    if (typeof type !== 'string' || !has(known, type)) {
      const given = typeof type === 'string' ? quote(type) : String(type)
      throw new RangeError(`${fn}: unknown backoff type ${given}; the known types are ${knownList}`)
    }
    if (job === null || typeof job !== 'object') {
      throw new TypeError(`${fn}: job must be a BullMQ job, got ${job === null ? 'null' : typeof job}`)
    }
    if (typeof job.id !== 'string') {
      throw new TypeError(`${fn}: job.id must be a string, got ${job.id === null ? 'null' : typeof job.id}`)
    }
    if (typeof job.timestamp !== 'number' || !Number.isFinite(job.timestamp)) {
      const message = `${fn}: job.timestamp must be a finite number of epoch ms, got ${String(job.timestamp)}`
      throw typeof job.timestamp === 'number' ? new RangeError(message) : new TypeError(message)
    }
    const delay = nthDelay(attemptsMade, { seed: job.id, input: err, start: job.timestamp, now: Date.now() })(
      known[type]
    )
    return delay._tag === 'Some' ? Math.round(delay.value) : -1
  }
}

/**
 * The retry options of a job whose retries the schedule named `type` decides:
 * `{ attempts: Number.MAX_SAFE_INTEGER, backoff: { type } }`, to spread into `queue.add`'s options.
 *
 * `attempts` is BullMQ's own cap, which it checks before it asks the strategy: set that high, the
 * schedule alone says when to give up (put its limit in the schedule: `maxRetries`, `maxElapsed`).
 * A lower `attempts` still applies, since BullMQ asks only while `attemptsMade + 1 < attempts`.
 *
 * @example
 * import * as BullMQ from 'schedule-ts/BullMQ'
 *
 * // await queue.add('charge', { orderId: 42 }, BullMQ.jobOptions('payment'))
 * assert.deepStrictEqual(BullMQ.jobOptions('payment'), {
 *   attempts: Number.MAX_SAFE_INTEGER,
 *   backoff: { type: 'payment' }
 * })
 *
 * @category running
 * @since 0.2.0
 */
export const jobOptions = <Type extends string>(type: Type): RetryJobOptions<Type> => ({
  attempts: Number.MAX_SAFE_INTEGER,
  backoff: { type: checkType('BullMQ.jobOptions', type) as Type }
})
