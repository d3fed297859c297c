/**
 * gRPC's service config, as A6 (gRPC's retry design) defines it: the status code table, and the
 * readers, encoders and schedules of `retryPolicy` and `hedgingPolicy`. `Config` exposes them as
 * codecs; the `explain` command reads the same tables.
 *
 * The readers take the readers of their leaves (`Leaves`), so that one description of each policy
 * serves both for JSON (`"0.1s"`, codes in any case or as numbers) and for the decoded form
 * (milliseconds, upper-case names).
 *
 * @internal
 */
import * as t from 'io-ts'
import * as S from '../Schedule'
import { closest, collect, didYouMean, fail, guard, isArray, own, problem, readField, readItems } from './decoding'
import { readObject, show, type Validator } from './decoding'
import { toSeconds } from './durations'
import type {
  GrpcHedgingPolicy as HedgingPolicy,
  GrpcHedgingPolicyJson as HedgingPolicyJson,
  GrpcRetryPolicy as RetryPolicy,
  GrpcRetryPolicyJson as RetryPolicyJson
} from '../Config'

/** gRPC's status codes, by number. */
export const STATUS_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED'
] as const

/** The name of a status code. */
export type StatusCode = (typeof STATUS_CODES)[number]

/** The number of a status code given by name (any case) or number, or -1. */
export const statusCodeNumber = (code: unknown): number =>
  typeof code === 'number'
    ? Number.isInteger(code) && code >= 0 && code < STATUS_CODES.length
      ? code
      : -1
    : typeof code === 'string'
    ? STATUS_CODES.indexOf(code.toUpperCase() as StatusCode)
    : -1

/** A name with its number, for people: `UNAVAILABLE (14)`. */
export const describeStatusCode = (code: StatusCode): string => `${code} (${STATUS_CODES.indexOf(code)})`

/** Reads a status code from JSON: a name in any case or a number, to its upper-case name. */
export const statusCodeFromJson: Validator<StatusCode> = (u, c) => {
  const code = statusCodeNumber(u)
  return code >= 0
    ? t.success(STATUS_CODES[code])
    : fail(
        u,
        c,
        `expected a gRPC status code name such as "UNAVAILABLE" or a number from 0 to 16; given ${show(u)}${didYouMean(
          typeof u === 'string' ? closest(u.toUpperCase(), STATUS_CODES) : undefined
        )}`
      )
}

/** Checks a decoded status code: an upper-case name. */
export const decodedStatusCode: Validator<StatusCode> = (u, c) =>
  typeof u === 'string' && STATUS_CODES.includes(u as StatusCode)
    ? t.success(u as StatusCode)
    : fail(u, c, `expected an upper-case gRPC status code name such as "UNAVAILABLE"; given ${show(u)}`)

/** How the leaves of a gRPC policy are read: from JSON, or in decoded form. */
export interface Leaves {
  /** A backoff: a duration above 0. */
  readonly backoff: Validator<number>
  /** A hedging delay: a duration of 0 or more. */
  readonly delay: Validator<number>
  readonly statusCode: Validator<StatusCode>
}

/** gRPC's client-side limit: a `maxAttempts` above it counts as it. */
export const MAX_ATTEMPTS = 5

/** The keys of a `retryPolicy`, and those only a `hedgingPolicy` has. */
export const RETRY_KEYS = [
  'maxAttempts',
  'initialBackoff',
  'maxBackoff',
  'backoffMultiplier',
  'retryableStatusCodes'
] as const
export const HEDGING_KEYS = ['maxAttempts', 'hedgingDelay', 'nonFatalStatusCodes'] as const

const maxAttempts =
  (what: string): Validator<number> =>
  (u, c) =>
    typeof u === 'number' && Number.isInteger(u) && u >= 2
      ? t.success(u)
      : fail(
          u,
          c,
          `expected a whole number of at least 2, such as 4 (maxAttempts counts the first call, so 2 allows one ${what}); given ${show(
            u
          )}`
        )

const backoffMultiplier: Validator<number> = (u, c) =>
  typeof u === 'number' && Number.isFinite(u) && u > 0
    ? t.success(u)
    : fail(u, c, `expected a finite number above 0, such as 2 (below 1 shrinks the backoff); given ${show(u)}`)

// -------------------------------------------------------------------------------------
// retryPolicy
// -------------------------------------------------------------------------------------

const RETRY_EXAMPLE =
  'a gRPC retryPolicy object such as {"maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}'

/** Reads a `retryPolicy`: every key required, as in gRPC. */
export const retryPolicy = (leaves: Leaves): Validator<RetryPolicy> => {
  const backoff = guard(leaves.backoff)
  const statusCode = guard(leaves.statusCode)
  return guard((u, c) => {
    const errors: t.Errors = []
    const fields = readObject(u, c, RETRY_KEYS, RETRY_EXAMPLE, errors)
    if (fields === undefined) {
      return t.failures(errors)
    }
    const attempts = readField(
      fields,
      'maxAttempts',
      maxAttempts('retry'),
      c,
      errors,
      'a whole number of at least 2, such as 4'
    )
    const initialBackoff = readField(fields, 'initialBackoff', backoff, c, errors, 'a duration such as "0.1s"')
    const maxBackoff = readField(fields, 'maxBackoff', backoff, c, errors, 'a duration such as "1s"')
    const multiplier = readField(
      fields,
      'backoffMultiplier',
      backoffMultiplier,
      c,
      errors,
      'a number above 0, such as 2'
    )
    const codes = fields.retryableStatusCodes
    const context = t.appendContext(c, 'retryableStatusCodes', t.unknown, codes)
    const expected = 'a non-empty array of status codes such as ["UNAVAILABLE"]'
    const retryableStatusCodes =
      codes === undefined
        ? void errors.push(problem(undefined, context, `missing; expected ${expected}`))
        : isArray(codes) && codes.length === 0
        ? void errors.push(problem(codes, context, `expected ${expected}; given []`))
        : readItems(codes, context, statusCode, expected, errors)
    return collect(errors, {
      maxAttempts: attempts as number,
      initialBackoff: initialBackoff as number,
      maxBackoff: maxBackoff as number,
      backoffMultiplier: multiplier as number,
      retryableStatusCodes: retryableStatusCodes as ReadonlyArray<StatusCode>
    })
  })
}

/** Writes a `retryPolicy` back as gRPC JSON: backoffs in seconds, codes as names. */
export const encodeRetryPolicy = (policy: RetryPolicy): RetryPolicyJson => ({
  maxAttempts: policy.maxAttempts,
  initialBackoff: toSeconds(policy.initialBackoff),
  maxBackoff: toSeconds(policy.maxBackoff),
  backoffMultiplier: policy.backoffMultiplier,
  retryableStatusCodes: policy.retryableStatusCodes.slice()
})

const classifier = (codes: ReadonlyArray<StatusCode>): ((code: string | number) => boolean) => {
  const numbers = new Set(codes.map(statusCodeNumber))
  return (code) => numbers.has(statusCodeNumber(code))
}

/**
 * The schedule of a valid `retryPolicy` and its classifier: at most `min(maxAttempts, 5) - 1`
 * retries, the n-th (n = 0 first) waiting U(0, min(initialBackoff · multiplier^n, maxBackoff)).
 */
export const retrySchedule = (
  policy: RetryPolicy
): { readonly schedule: S.Schedule<unknown, number>; readonly isRetryable: (code: string | number) => boolean } => {
  const bound = S.make(0, (_input: unknown, _context, n: number) => {
    const backoff = Math.min(policy.initialBackoff * Math.pow(policy.backoffMultiplier, n), policy.maxBackoff)
    return S.continueAfter(backoff, backoff, n + 1)
  })
  return {
    schedule: S.delays(S.maxRetries(Math.min(policy.maxAttempts, MAX_ATTEMPTS) - 1)(S.fullJitter(bound))),
    isRetryable: classifier(policy.retryableStatusCodes)
  }
}

// -------------------------------------------------------------------------------------
// hedgingPolicy
// -------------------------------------------------------------------------------------

const HEDGING_EXAMPLE =
  'a gRPC hedgingPolicy object such as {"maxAttempts": 3, "hedgingDelay": "0.5s", "nonFatalStatusCodes": ["UNAVAILABLE"]}'

/** Reads a `hedgingPolicy`: `maxAttempts` required, `hedgingDelay` and `nonFatalStatusCodes` optional. */
export const hedgingPolicy = (leaves: Leaves): Validator<HedgingPolicy> => {
  const delay = guard(leaves.delay)
  const statusCode = guard(leaves.statusCode)
  const codes: Validator<ReadonlyArray<StatusCode>> = guard((u, c) => {
    const errors: t.Errors = []
    const items = readItems(u, c, statusCode, 'an array of status codes such as ["UNAVAILABLE"]', errors)
    return collect(errors, items as ReadonlyArray<StatusCode>)
  })
  return guard((u, c) => {
    const errors: t.Errors = []
    const fields = readObject(u, c, HEDGING_KEYS, HEDGING_EXAMPLE, errors)
    if (fields === undefined) {
      return t.failures(errors)
    }
    const attempts = readField(
      fields,
      'maxAttempts',
      maxAttempts('hedge'),
      c,
      errors,
      'a whole number of at least 2, such as 3'
    )
    const hedgingDelay = readField(fields, 'hedgingDelay', delay, c, errors)
    const nonFatalStatusCodes = readField(fields, 'nonFatalStatusCodes', codes, c, errors)
    return collect(errors, {
      maxAttempts: attempts as number,
      ...(hedgingDelay === undefined ? {} : { hedgingDelay }),
      ...(nonFatalStatusCodes === undefined ? {} : { nonFatalStatusCodes })
    })
  })
}

/** Writes a `hedgingPolicy` back as gRPC JSON: the delay in seconds, codes as names; absent keys stay absent. */
export const encodeHedgingPolicy = (policy: HedgingPolicy): HedgingPolicyJson => {
  const { hedgingDelay, nonFatalStatusCodes } = own(policy)
  return {
    maxAttempts: policy.maxAttempts,
    ...(hedgingDelay === undefined ? {} : { hedgingDelay: toSeconds(hedgingDelay) }),
    ...(nonFatalStatusCodes === undefined ? {} : { nonFatalStatusCodes: nonFatalStatusCodes.slice() })
  }
}

/**
 * The schedule of a valid `hedgingPolicy` and its classifier: `min(maxAttempts, 5) - 1` launches
 * after the first, `hedgingDelay` (default 0) apart; no code is non-fatal by default.
 */
export const hedgingSchedule = (
  policy: HedgingPolicy
): { readonly schedule: S.Schedule<unknown, number>; readonly isNonFatal: (code: string | number) => boolean } => {
  const { maxAttempts, hedgingDelay = 0, nonFatalStatusCodes = [] } = own(policy)
  return {
    schedule: S.delays(S.maxRetries(Math.min(maxAttempts, MAX_ATTEMPTS) - 1)(S.constant(hedgingDelay))),
    isNonFatal: classifier(nonFatalStatusCodes)
  }
}
