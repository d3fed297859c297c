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
import { checkBetween, checkFunction } from './internal/check'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * What a budget has seen since it was made, to tell why retries are denied.
 *
 * - `requests`: calls started (`onRequest`), one per call whatever its number of attempts.
 * - `successes`, `failures`: attempts that succeeded or failed, retries included (a failure that
 *   `countsAsFailure` rejects is still a failed attempt here).
 * - `retries`: retries allowed; `denied`: retries refused.
 * - `balance`: how many more retries the budget would allow if every attempt failed from now on
 *   and no new call started: each failed attempt is counted before its retry is asked for, as a
 *   run does, so a full `tokenBucket({ maxTokens: 10 })` has a balance of 4 (the 5th failure leaves
 *   5 tokens, which is not more than half). Always a whole number, at most
 *   `Number.MAX_SAFE_INTEGER`.
 *
 * @example
 * import * as Budget from 'schedule-ts/Budget'
 *
 * const budget = Budget.tokenBucket({ maxTokens: 10, tokenRatio: 0.5 })
 * budget.onRequest()
 * budget.onFailure('503')
 * const stats: Budget.BudgetStats = budget.stats()
 * // 9 tokens: three more failures (8, 7, 6) each leave more than 5, the fourth does not
 * assert.deepStrictEqual(stats, { requests: 1, successes: 0, failures: 1, retries: 0, denied: 0, balance: 3, tokens: 9 })
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
 * budget.onFailure('503')
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
 * A run calls `onRequest` when a call starts (before its first attempt), `onSuccess` after each
 * attempt that succeeded and `onFailure(error)` after each that failed, with its error, and
 * `tryRetry` before each retry, right after the failure it would retry: `true` allows it and counts
 * it as spent, `false` denies it. A budget is the one mutable thing shared between runs, by design;
 * write your own by implementing these four functions. The budgets of this module also have a
 * `stats()`, which runs never call.
 *
 * Gotcha: `onFailure`'s error is typed `unknown`, since one budget serves runs of any error type.
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
  readonly onFailure: (error: unknown) => void
  readonly tryRetry: () => boolean
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** Token counts are kept in thousandths, as gRPC does, so the arithmetic is exact. */
const MILLI = 1000

/** The largest `maxTokens`: twice as many thousandths stay exact integers (below 2^53). */
const MAX_TOKENS = 1e12

/** How many slices the window of `percent` is cut into; a deposit expires between 0.9 and 1 ttl after it was made. */
const SLICES = 10

const ZERO = BigInt(0)
const ONE = BigInt(1)
const TEN = BigInt(10)

/** How `String` writes a finite non-negative number: digits, decimals, an exponent. */
const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/

/**
 * The decimal `value` was written as (the shortest one that reads back as it, which is what `String` gives), as an
 * exact fraction: 0.3 is 3/10, not the binary number just below it. `value` is finite and non-negative.
 */
const fraction = (value: number): readonly [bigint, bigint] => {
  const [, whole, decimals = '', exponent = '0'] = DECIMAL.exec(String(value)) as RegExpExecArray
  const shift = Number(exponent) - decimals.length
  const digits = BigInt(whole + decimals)
  return shift >= 0 ? [digits * TEN ** BigInt(shift), ONE] : [digits, TEN ** BigInt(-shift)]
}

/** Thousandths of `value` as written, the digits beyond the third decimal dropped (1.005 is 1005, 2.0009 is 2000). */
const toMilli = (value: number): number => {
  const [numerator, denominator] = fraction(value)
  return Number((numerator * BigInt(MILLI)) / denominator)
}

/** What a budget decides; `withStats` counts around it. */
interface Policy {
  readonly request: () => void
  readonly success: () => void
  /** `counts` is false for a failure that `countsAsFailure` rejects. */
  readonly failure: (counts: boolean) => void
  /** Whether a retry may run now; when it may, it is counted as spent. */
  readonly allow: () => boolean
  readonly balance: () => number
}

/** Checks the options object and its `countsAsFailure`, shared by both budgets. */
const checkOptions = <O extends { readonly countsAsFailure?: unknown }>(fn: string, options: O): O => {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object, got ${options === null ? 'null' : typeof options}`)
  }
  if (options.countsAsFailure !== undefined) {
    checkFunction(fn, 'countsAsFailure', options.countsAsFailure)
  }
  return options
}

// the counters every budget keeps, so that `stats()` can say why retries are denied
const withStats = (
  countsAsFailure: ((error: never) => unknown) | undefined,
  policy: Policy
): Budget & { readonly stats: () => BudgetStats } => {
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
    onFailure: (error: unknown) => {
      // asked first, so that a predicate that throws leaves the budget as it was
      const counts = countsAsFailure === undefined || Boolean(countsAsFailure(error as never))
      failures++
      policy.failure(counts)
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
 * so an outage costs each client fewer than `maxTokens / 2` retries (4 with gRPC's defaults,
 * `maxTokens: 10, tokenRatio: 0.1`). Checking does not spend a token: the attempt pays when it
 * fails, before its retry is asked for. Both numbers are read to three decimals as written (digits
 * beyond are dropped, as gRPC does), so the arithmetic is exact.
 *
 * What counts as a failure (since 0.2.0): `countsAsFailure(error)`, when given, decides for each
 * failed attempt whether it takes a token; one it rejects leaves the bucket as it was (neither a
 * failure nor a success, as in gRPC, which counts only failures whose status is retryable, so that a
 * storm of `INVALID_ARGUMENT` cannot drain the bucket and deny the retries that matter). Its
 * retries are still allowed only while there are more than `maxTokens / 2` tokens. Gotcha: it sees
 * every error a run fails with, whatever its type (an `AttemptTimeout` under `attemptTimeout`), so
 * check the shape of what it is given.
 *
 * Throws a `RangeError` when `maxTokens` is not a number between 0.001 and 1e12 (beyond that,
 * thousandths of a token cannot be counted exactly) or `tokenRatio` is not a finite number of at
 * least 0.001 (above `maxTokens`, one success fills the bucket), and a `TypeError` when
 * `countsAsFailure` is not a function.
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
 * // only the failures gRPC would retry take a token
 * interface GrpcError {
 *   readonly code: number
 * }
 * const UNAVAILABLE = 14
 * const grpcBudget = Budget.tokenBucket({
 *   maxTokens: 10,
 *   tokenRatio: 0.1,
 *   countsAsFailure: (e: GrpcError) => e.code === UNAVAILABLE
 * })
 * for (let i = 0; i < 100; i++) grpcBudget.onFailure({ code: 3 }) // INVALID_ARGUMENT
 * grpcBudget.onFailure({ code: UNAVAILABLE })
 * assert.deepStrictEqual([grpcBudget.stats().tokens, grpcBudget.tryRetry()], [9, true])
 *
 * @category constructors
 * @since 0.1.0
 */
export const tokenBucket = <E = unknown>(options: {
  readonly maxTokens: number
  readonly tokenRatio: number
  readonly countsAsFailure?: ((error: E) => boolean) | undefined
}): Budget & { readonly stats: () => TokenBucketStats } => {
  const fn = 'Budget.tokenBucket'
  const { countsAsFailure } = checkOptions(fn, options)
  const maxTokens = toMilli(
    checkBetween(fn, 'maxTokens', options.maxTokens, 0.001, MAX_TOKENS, 'a number between 0.001 and 1e12')
  )
  const ratio = checkBetween(fn, 'tokenRatio', options.tokenRatio, 0.001, Infinity, 'a finite number >= 0.001')
  // a success never adds more than a full bucket, so every sum stays below 2^53
  const tokenRatio = Math.min(maxTokens, toMilli(Math.min(ratio, MAX_TOKENS)))
  let tokens = maxTokens
  const budget = withStats(countsAsFailure, {
    request: () => undefined,
    success: () => {
      tokens = Math.min(maxTokens, tokens + tokenRatio)
    },
    failure: (counts) => {
      if (counts) tokens = Math.max(0, tokens - MILLI)
    },
    // tokens > maxTokens / 2, in integers
    allow: () => 2 * tokens > maxTokens,
    // the failures k >= 1 that still leave more than half, tokens - k > maxTokens / 2: one retry after each
    balance: () => (2 * tokens > maxTokens ? Math.ceil((2 * tokens - maxTokens) / (2 * MILLI)) - 1 : 0)
  })
  return { ...budget, stats: () => ({ ...budget.stats(), tokens: tokens / MILLI }) }
}

/**
 * Finagle's retry budget: each call deposits, each retry withdraws, and deposits expire after
 * `ttl` ms, so that retries stay at most `percentCanRetry` of the calls of the last `ttl` ms, plus a
 * reserve of `minRetriesPerSec` retries a second for clients that send few calls.
 *
 * Use one per client of a service, shared by all its calls. In a window of `ttl` ms a client may
 * retry at most `minRetriesPerSec · ttl / 1000 + percentCanRetry · calls` times, so an outage
 * multiplies its load by at most `1 + percentCanRetry + minRetriesPerSec / rate` for a client
 * sending `rate` calls a second. Gotcha: Finagle's defaults (`ttl: 10_000, minRetriesPerSec: 10,
 * percentCanRetry: 0.2`) suit clients sending hundreds of calls a second; for a client sending 10,
 * the reserve alone allows one retry per call, so lower `minRetriesPerSec` to a small share of the
 * rate.
 *
 * As in Finagle: withdrawals expire too (after `ttl`, the reserve is whole again); the window is
 * cut into 10 slices of `ttl / 10`, so memory stays constant and a deposit expires between 0.9 and
 * 1 `ttl` after it was made. Unlike Finagle, which rounds a retry's cost to a whole thousandth of a
 * call and caps it (so that a tiny percentage still buys the occasional retry), the bound is
 * computed exactly, with the numbers read as the decimals written (0.3 is 3 in 10): no percentage,
 * however small or large, allows more retries than it says, and `balance` saturates at
 * `Number.MAX_SAFE_INTEGER`. Time comes from `clock` (the live clock by default): pass a
 * `TestClock` in tests.
 *
 * What counts as a failure (since 0.2.0): `countsAsFailure(error)`, when given, is asked about each
 * failed attempt; the retry asked for right after one it rejects (runners ask in the same step) is
 * allowed only while the budget could pay for a retry, but withdraws nothing, just as a
 * `tokenBucket` takes no token for it. Deposits, one per call, do not depend on it.
 *
 * Throws a `RangeError` unless `ttl` is between 1,000 and 60,000 ms, `minRetriesPerSec` is a finite
 * number >= 0 and `percentCanRetry` is between 0 and 1,000 (Finagle's limits), and a `TypeError`
 * when `countsAsFailure` is not a function or `clock` has no `now`. With both at 0 it never allows a
 * retry.
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
 * // a percentage too small to ever pay for a retry allows none, and says so
 * const tiny = Budget.percent({ ttl: 10_000, minRetriesPerSec: 0, percentCanRetry: 1e-306 }, clock)
 * for (let i = 0; i < 1_000; i++) tiny.onRequest()
 * assert.deepStrictEqual([tiny.tryRetry(), tiny.stats().balance], [false, 0])
 *
 * @category constructors
 * @since 0.1.0
 */
export const percent = <E = unknown>(
  options: {
    readonly ttl: number
    readonly minRetriesPerSec: number
    readonly percentCanRetry: number
    readonly countsAsFailure?: ((error: E) => boolean) | undefined
  },
  clock: Clock = live
): Budget & { readonly stats: () => BudgetStats } => {
  const fn = 'Budget.percent'
  const { countsAsFailure } = checkOptions(fn, options)
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
  // the retries a window allows, reserve + percentCanRetry · calls, as (base + perCall · calls) / scale, exactly
  const [percentNumerator, percentDenominator] = fraction(percentCanRetry)
  const [minNumerator, minDenominator] = fraction(minRetriesPerSec)
  const [ttlNumerator, ttlDenominator] = fraction(ttl)
  const reserveDenominator = minDenominator * ttlDenominator * BigInt(1000)
  const scale = reserveDenominator * percentDenominator
  const base = minNumerator * ttlNumerator * percentDenominator
  const perCall = percentNumerator * reserveDenominator
  const sliceLength = ttl / SLICES
  // the calls and the retries of each slice; `newest` is the number of the slice that slot `newest % SLICES` holds
  const calls = new Array<number>(SLICES).fill(0)
  const retries = new Array<number>(SLICES).fill(0)
  let newest = Math.floor(clock.now() / sliceLength)
  let callCount = 0
  let retryCount = 0
  // the retry asked for right after a failure that does not count withdraws nothing
  let free = false

  const slot = (n: number): number => ((n % SLICES) + SLICES) % SLICES
  // drops the slices that have fallen out of the window and returns the slot of the current one
  const current = (): number => {
    const now = Math.floor(clock.now() / sliceLength)
    if (now > newest) {
      const expired = Math.min(now - newest, SLICES)
      for (let i = 1; i <= expired; i++) {
        const s = slot(newest + i)
        callCount -= calls[s]
        retryCount -= retries[s]
        calls[s] = 0
        retries[s] = 0
      }
      newest = now
    }
    return slot(newest)
  }
  // how many more retries the window allows now, never negative (deposits may expire before withdrawals)
  const left = (): bigint => {
    current()
    const allowed = (base + perCall * BigInt(callCount)) / scale - BigInt(retryCount)
    return allowed > ZERO ? allowed : ZERO
  }

  return withStats(countsAsFailure, {
    request: () => {
      free = false
      calls[current()]++
      callCount++
    },
    success: () => {
      free = false
    },
    failure: (counts) => {
      free = !counts
      // the verdict is for the retry asked for in the same step, never for a later one
      if (free) queueMicrotask(() => (free = false))
    },
    allow: () => {
      const paid = !free
      free = false
      if (left() === ZERO) {
        return false
      }
      if (paid) {
        retries[current()]++
        retryCount++
      }
      return true
    },
    balance: () => {
      const allowed = left()
      return allowed > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(allowed)
    }
  })
}
