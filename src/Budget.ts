/**
 * Retry budgets shared across calls: per-call limits do not protect a service in an outage, since
 * every client still multiplies its load by its number of attempts. A budget, shared by every call
 * of a client (or a whole process), allows retries only while they stay a small share of the
 * traffic.
 *
 * Pass one to a run with `retry(schedule, { budget })`. A retry the budget denies ends that call
 * with its last error; the run's status says so (`stoppedBy: 'budget'`), and the budget's `stats()`
 * count what it allowed and denied.
 *
 * @since 0.1.0
 */
import type { Clock } from './Clock'
import { live } from './Clock'
import { checkBetween } from './internal/check'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a budget has seen since it was made, to tell why retries are denied.
 *
 * - `requests`: calls started (`onRequest`), one per call whatever its number of attempts.
 * - `successes`, `failures`: attempts that succeeded or failed, retries included.
 * - `retries`: retries allowed; `denied`: retries refused.
 * - `balance`: how many retries the budget would allow now, if each of them failed.
 *
 * @example
 * import * as Budget from 'schedule-ts/Budget'
 *
 * const budget = Budget.tokenBucket({ maxTokens: 4, tokenRatio: 0.5 })
 * budget.onRequest()
 * budget.onFailure()
 * const stats: Budget.BudgetStats = budget.stats()
 * assert.deepStrictEqual(stats, { requests: 1, successes: 0, failures: 1, retries: 0, denied: 0, balance: 1, tokens: 3 })
 *
 * @category model
 * @since 0.1.0
 */
export interface BudgetStats {
  readonly requests: number
  readonly successes: number
  readonly failures: number
  readonly retries: number
  readonly denied: number
  readonly balance: number
}

/**
 * The stats of a `tokenBucket`: the `BudgetStats` and the current number of `tokens`.
 *
 * @example
 * import * as Budget from 'schedule-ts/Budget'
 *
 * const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
 * budget.onFailure()
 * budget.onSuccess()
 * const stats: Budget.TokenBucketStats = budget.stats()
 * assert.strictEqual(stats.tokens, 9.1)
 *
 * @category model
 * @since 0.1.0
 */
export interface TokenBucketStats extends BudgetStats {
  readonly tokens: number
}

/**
 * What a run tells a budget, and asks it.
 *
 * A run calls `onRequest` when a call starts (before its first attempt), `onSuccess` or `onFailure`
 * after each attempt, and `tryRetry` before each retry: `true` allows it and counts it as spent,
 * `false` denies it. A budget is the one mutable thing shared between runs, by design; write your
 * own by implementing these four functions. The budgets of this module also have a `stats()`, which
 * runs never call.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import type { Budget } from 'schedule-ts/Budget'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Retry from 'schedule-ts/TaskEither'
 *
 * // a budget that allows two retries in all, across every call that shares it
 * let left = 2
 * const twoRetries: Budget = {
 *   onRequest: () => {},
 *   onSuccess: () => {},
 *   onFailure: () => {},
 *   tryRetry: () => left-- > 0
 * }
 * let attempts = 0
 * const call = TE.leftTask<string, never>(async () => {
 *   attempts++
 *   return 'boom'
 * })
 * void pipe(call, Retry.retry(S.recurs(5), { budget: twoRetries }))().then((result) => {
 *   assert.deepStrictEqual(result, { _tag: 'Left', left: 'boom' })
 *   assert.strictEqual(attempts, 3)
 * })
 *
 * @category model
 * @since 0.1.0
 */
export interface Budget {
  readonly onRequest: () => void
  readonly onSuccess: () => void
  readonly onFailure: () => void
  readonly tryRetry: () => boolean
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** Token counts are kept in thousandths, as gRPC does, so the arithmetic is exact. */
const MILLI = 1000

/** Thousandths of `value`, the digits beyond the third decimal dropped (the epsilon absorbs 1.005 * 1000 = 1004.99...). */
const toMilli = (value: number): number => Math.floor(value * MILLI + 1e-6)

/** How many slices the window of `percent` is cut into; a deposit expires between 0.9 and 1 ttl after it was made. */
const SLICES = 10

/** What a budget decides; `withStats` counts around it. */
interface Policy {
  readonly request: () => void
  readonly success: () => void
  readonly failure: () => void
  /** Whether a retry may run now; when it may, it is counted as spent. */
  readonly allow: () => boolean
  readonly balance: () => number
}

// the counters every budget keeps, so that `stats()` can say why retries are denied
const withStats = (policy: Policy): Budget & { readonly stats: () => BudgetStats } => {
  let requests = 0
  let successes = 0
  let failures = 0
  let retries = 0
  let denied = 0
  return {
    onRequest: () => {
      requests++
      policy.request()
    },
    onSuccess: () => {
      successes++
      policy.success()
    },
    onFailure: () => {
      failures++
      policy.failure()
    },
    tryRetry: () => {
      if (policy.allow()) {
        retries++
        return true
      }
      denied++
      return false
    },
    stats: () => ({ requests, successes, failures, retries, denied, balance: policy.balance() })
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * gRPC's retry throttling: a bucket that starts with `maxTokens` tokens, loses one for each failed
 * attempt (never going below 0) and gains `tokenRatio` for each success (never above `maxTokens`);
 * a retry is allowed only while there are more than `maxTokens / 2` tokens.
 *
 * Use one bucket per client of a service (gRPC keeps one per channel) and pass it to every call:
 * once failures have drained half the bucket, retries stop altogether until successes refill it,
 * so an outage costs each client only about `maxTokens / 2` retries. Checking does not spend a token:
 * the retried attempt pays when it fails. Both numbers are kept to three decimals (digits beyond are
 * dropped, as gRPC does), so the arithmetic is exact. gRPC's defaults are `maxTokens: 10,
 * tokenRatio: 0.1`; its service config allows `maxTokens` up to 1000, this function any size.
 *
 * Throws a `RangeError` when `maxTokens` or `tokenRatio` is not a finite number of at least 0.001.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as Budget from 'schedule-ts/Budget'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Retry from 'schedule-ts/TaskEither'
 *
 * const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.1 })
 * const resilient = Retry.retry(S.recurs(3), { budget })
 *
 * // a service that is down: the first call makes 4 attempts (10 -> 6 tokens), the second only 1
 * const down: TE.TaskEither<string, never> = TE.left('503')
 * void pipe(down, resilient)()
 *   .then(() => pipe(down, resilient)())
 *   .then(() => {
 *     assert.deepStrictEqual(budget.stats(), {
 *       requests: 2,
 *       successes: 0,
 *       failures: 5,
 *       retries: 3,
 *       denied: 1,
 *       balance: 0,
 *       tokens: 5
 *     })
 *   })
 *
 * @category constructors
 * @since 0.1.0
 */
export const tokenBucket = (options: {
  readonly maxTokens: number
  readonly tokenRatio: number
}): Budget & { readonly stats: () => TokenBucketStats } => {
  const fn = 'Budget.tokenBucket'
  const expected = 'a finite number >= 0.001'
  const maxTokens = toMilli(checkBetween(fn, 'maxTokens', options.maxTokens, 0.001, Infinity, expected))
  const tokenRatio = toMilli(checkBetween(fn, 'tokenRatio', options.tokenRatio, 0.001, Infinity, expected))
  let tokens = maxTokens
  const budget = withStats({
    request: () => undefined,
    success: () => {
      tokens = Math.min(maxTokens, tokens + tokenRatio)
    },
    failure: () => {
      tokens = Math.max(0, tokens - MILLI)
    },
    // tokens > maxTokens / 2, in integers
    allow: () => 2 * tokens > maxTokens,
    // failures it takes to bring the tokens down to maxTokens / 2: one retry allowed before each
    balance: () => (2 * tokens > maxTokens ? Math.ceil((2 * tokens - maxTokens) / (2 * MILLI)) : 0)
  })
  return { ...budget, stats: () => ({ ...budget.stats(), tokens: tokens / MILLI }) }
}

/**
 * Finagle's retry budget: each call deposits, each retry withdraws, and deposits expire after
 * `ttl` ms, so that retries stay at most `percentCanRetry` of the calls of the last `ttl` ms, plus a
 * reserve of `minRetriesPerSec` retries a second for clients that send few calls.
 *
 * Use one per client of a service, shared by all its calls. In a window of `ttl` ms a client may
 * retry about `minRetriesPerSec · ttl / 1000 + percentCanRetry · calls` times, so an outage
 * multiplies its load by at most `1 + percentCanRetry + minRetriesPerSec / rate` for a client
 * sending `rate` calls a second. Gotcha: Finagle's defaults (`ttl: 10_000, minRetriesPerSec: 10,
 * percentCanRetry: 0.2`) suit clients sending hundreds of calls a second; for a client sending 10,
 * the reserve alone allows one retry per call, so lower `minRetriesPerSec` to a small share of the
 * rate.
 *
 * As in Finagle: withdrawals expire too (after `ttl`, the reserve is whole again); the window is
 * cut into 10 slices of `ttl / 10`, so memory stays constant and a deposit expires between 0.9 and
 * 1 `ttl` after it was made; a retry costs `1 / percentCanRetry` calls, rounded down to a
 * thousandth. Time comes from `clock` (the live clock by default): pass a `TestClock` in tests.
 *
 * Throws a `RangeError` unless `ttl` is between 1,000 and 60,000 ms, `minRetriesPerSec` is a finite
 * number >= 0 and `percentCanRetry` is between 0 and 1,000 (Finagle's limits). With both at 0 it
 * never allows a retry.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import * as Budget from 'schedule-ts/Budget'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Retry from 'schedule-ts/TaskEither'
 * import * as TestClock from 'schedule-ts/TestClock'
 *
 * const clock = TestClock.make()
 * // no reserve, one retry per 10 calls, calls remembered for 10 s
 * const budget = Budget.percent({ ttl: 10_000, minRetriesPerSec: 0, percentCanRetry: 0.1 }, clock)
 * const down: TE.TaskEither<string, never> = TE.left('503')
 * const calls = Array.from({ length: 20 }, () => pipe(down, Retry.retry(S.recurs(3), { clock, budget }))())
 *
 * void Promise.all(calls).then(() => {
 *   // 20 calls: 2 retries allowed in all, not 60
 *   assert.strictEqual(budget.stats().retries, 2)
 *   assert.strictEqual(budget.stats().failures, 22)
 * })
 *
 * @category constructors
 * @since 0.1.0
 */
export const percent = (
  options: {
    readonly ttl: number
    readonly minRetriesPerSec: number
    readonly percentCanRetry: number
  },
  clock: Clock = live
): Budget & { readonly stats: () => BudgetStats } => {
  const fn = 'Budget.percent'
  const ttl = checkBetween(fn, 'ttl', options.ttl, 1000, 60_000, 'between 1000 and 60000 ms')
  const minRetriesPerSec = checkBetween(
    fn,
    'minRetriesPerSec',
    options.minRetriesPerSec,
    0,
    Infinity,
    'a finite number >= 0'
  )
  const percentCanRetry = checkBetween(fn, 'percentCanRetry', options.percentCanRetry, 0, 1000, 'between 0 and 1000')
  if (clock === null || typeof clock !== 'object' || typeof clock.now !== 'function') {
    throw new TypeError(`${fn}: clock must have a now function`)
  }
  // Finagle's units: a call deposits 1000, a retry withdraws 1000 / percentCanRetry; with no
  // percentage, calls earn nothing and a retry costs 1 unit of the reserve
  const deposit = percentCanRetry > 0 ? MILLI : 0
  const withdrawal = percentCanRetry > 0 ? Math.floor(MILLI / percentCanRetry + 1e-9) : 1
  const reserve = Math.round((minRetriesPerSec * ttl * withdrawal) / 1000)
  const sliceLength = ttl / SLICES
  // net units deposited in each slice; `newest` is the number of the slice `window[newest % SLICES]` holds
  const window = new Array<number>(SLICES).fill(0)
  let newest = Math.floor(clock.now() / sliceLength)
  let sum = 0

  const slot = (n: number): number => ((n % SLICES) + SLICES) % SLICES
  // drops the slices that have fallen out of the window and returns the slot of the current one
  const current = (): number => {
    const now = Math.floor(clock.now() / sliceLength)
    if (now > newest) {
      const expired = Math.min(now - newest, SLICES)
      for (let i = 1; i <= expired; i++) {
        const s = slot(newest + i)
        sum -= window[s]
        window[s] = 0
      }
      newest = now
    }
    return slot(newest)
  }
  const add = (units: number): void => {
    window[current()] += units
    sum += units
  }
  const count = (): number => {
    current()
    return reserve + sum
  }

  return withStats({
    request: () => add(deposit),
    success: () => undefined,
    failure: () => undefined,
    allow: () => {
      if (count() < withdrawal) {
        return false
      }
      add(-withdrawal)
      return true
    },
    balance: () => Math.max(0, Math.floor(count() / withdrawal))
  })
}
