/**
 * Durations as configuration files write them: the grammar (`"250ms"`, `"1.5s"`, `".1s"`, `"2m"`,
 * `"1h"`), exact decimal parsing, the canonical encoding, the messages that explain a wrong one, and
 * gRPC's duration strings (seconds, from 1 ns to 315,576,000,000 s).
 *
 * Each reader comes in two forms: one for JSON (what users write) and one for the decoded form
 * (milliseconds), which backs the codecs' `is` and the checks of the functions that take a decoded
 * policy.
 *
 * @internal
 */
import * as t from 'io-ts'
import { isDuration } from './check'
import { didYouMean, fail, show, type Validator } from './decoding'

/** A duration as JSON: milliseconds, or a string with a unit. */
export type DurationJson = number | string

const DURATION_PATTERN = /^(\d+(\.\d*)?|\.\d+)(ms|s|m|h)$/
const UNITLESS_PATTERN = /^(\d+(\.\d*)?|\.\d+)$/
const COMPOUND_PATTERN = /^((\d+(\.\d*)?|\.\d+)(ms|s|m|h)){2,}$/
const PLAIN_DECIMAL = /^\d+(\.\d+)?$/

// each unit as a decimal shift and a multiplier, so that "1.1s" is exactly 1100 ms (not 1100.0000000000002)
const UNITS: Readonly<Record<string, readonly [number, number]>> = {
  ms: [0, 1],
  s: [3, 1],
  m: [4, 6],
  h: [5, 36]
}

const MS_PER_UNIT: ReadonlyArray<readonly [string, number]> = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000]
]

/** A duration string in milliseconds, or undefined when it does not match the grammar. */
export const parseDuration = (s: string): number | undefined => {
  const match = DURATION_PATTERN.exec(s)
  if (match === null) {
    return undefined
  }
  const [shift, multiplier] = UNITS[match[3]]
  const [whole, fraction = ''] = match[1].split('.')
  const digits = fraction.padEnd(shift, '0')
  return Number(`${whole}${digits.slice(0, shift)}.${digits.slice(shift)}`) * multiplier
}

/**
 * The canonical form of a duration: the largest unit in which it is a whole number (`"2m"`, `"30s"`,
 * `"1500ms"`), milliseconds with a fraction (`"0.5ms"`), or the number itself when no string is exact.
 */
export const encodeDuration = (ms: number): DurationJson => {
  if (ms !== 0) {
    for (const [unit, size] of MS_PER_UNIT) {
      const amount = String(ms / size)
      if (ms % size === 0 && PLAIN_DECIMAL.test(amount) && parseDuration(`${amount}${unit}`) === ms) {
        return `${amount}${unit}`
      }
    }
  }
  const text = String(ms)
  return PLAIN_DECIMAL.test(text) && parseDuration(`${text}ms`) === ms ? `${text}ms` : ms
}

const EXAMPLES = 'such as 250 (milliseconds), "250ms", "1.5s", "2m" or "1h"'

// why a string is not a duration, with the closest valid one when a space or the case is all that is wrong
const stringProblem = (s: string): string => {
  if (UNITLESS_PATTERN.test(s)) {
    const example = s.length <= 12 ? s : '250'
    return `expected a duration with a unit, such as "${example}ms" or "${example}s" (a number in a string has no unit); given ${show(
      s
    )}`
  }
  if (COMPOUND_PATTERN.test(s)) {
    return `expected a duration with a single unit, such as "90s" (units cannot be combined); given ${show(s)}`
  }
  const normalized = s.replace(/\s+/g, '').toLowerCase()
  const fixed = normalized !== s && parseDuration(normalized) !== undefined ? normalized : undefined
  return `expected a duration ${EXAMPLES}; given ${show(s)}${didYouMean(fixed)}`
}

// milliseconds, checked with the rule of the constructors
const milliseconds = (u: number, c: t.Context): t.Validation<number> =>
  isDuration(u)
    ? t.success(u + 0)
    : fail(
        u,
        c,
        `expected a ${
          Number.isFinite(u) ? 'duration of 0 or more' : 'finite duration'
        }, such as 250 (milliseconds) or "250ms"; given ${show(u)}`
      )

const fromString = (s: string, c: t.Context): t.Validation<number> => {
  const ms = parseDuration(s)
  return ms === undefined
    ? fail(s, c, stringProblem(s))
    : Number.isFinite(ms)
    ? t.success(ms)
    : fail(s, c, `expected a duration small enough to be a finite number of milliseconds; given ${show(s)}`)
}

/** Reads a duration from JSON: a number of milliseconds or a string with a unit. */
export const durationFromJson: Validator<number> = (u, c) =>
  typeof u === 'number'
    ? milliseconds(u, c)
    : typeof u === 'string'
    ? fromString(u, c)
    : fail(u, c, `expected a duration ${EXAMPLES}; given ${show(u)}`)

/** Checks a decoded duration: a number of milliseconds only. */
export const decodedDuration: Validator<number> = (u, c) =>
  typeof u === 'number'
    ? milliseconds(u, c)
    : fail(u, c, `expected a number of milliseconds such as 250 (decode the JSON first); given ${show(u)}`)

// -------------------------------------------------------------------------------------
// gRPC durations
// -------------------------------------------------------------------------------------

// gRPC durations are strings ("0.1s") with a resolution of 1 nanosecond, up to gRPC's largest duration
const GRPC_MIN_MS = 0.000001
const GRPC_MAX_MS = 315_576_000_000_000

/** A gRPC duration string in seconds (`"0.1s"`, `"1.5s"`, `"0s"`), exact for decimal milliseconds. */
export const toSeconds = (ms: number): string => {
  const text = String(ms)
  if (!PLAIN_DECIMAL.test(text)) {
    return `${ms / 1000}s`
  }
  const [whole, fraction = ''] = text.split('.')
  const padded = whole.padStart(4, '0')
  const seconds = padded.slice(0, -3).replace(/^0+(?=\d)/, '')
  const decimals = `${padded.slice(-3)}${fraction}`.replace(/0+$/, '')
  return decimals === '' ? `${seconds}s` : `${seconds}.${decimals}s`
}

/** Reads a gRPC duration from JSON: a string only, since gRPC counts in seconds and a bare number has no unit. */
export const grpcDurationFromJson: Validator<number> = (u, c) =>
  typeof u === 'number'
    ? fail(
        u,
        c,
        `expected a duration string such as "0.1s" (gRPC writes durations as strings; a bare number has no unit); given ${show(
          u
        )}`
      )
    : durationFromJson(u, c)

/**
 * A reader of gRPC durations within gRPC's range, from JSON or decoded as `read` says: above 0 (a
 * backoff) or, with `zero`, 0 as well (a hedging delay).
 */
export const grpcDuration =
  (read: Validator<number>, zero: 'zero allowed' | 'above zero'): Validator<number> =>
  (u, c) => {
    const result = read(u, c)
    if (result._tag === 'Left') {
      return result
    }
    const ms = result.right
    return ms < GRPC_MIN_MS && !(ms === 0 && zero === 'zero allowed')
      ? fail(
          u,
          c,
          zero === 'zero allowed'
            ? `expected "0s" or a duration of at least 1 nanosecond, such as "0.5s"; given ${show(u)}`
            : `expected a duration above 0 (gRPC's backoffs must be positive), such as "0.1s"; given ${show(u)}`
        )
      : ms > GRPC_MAX_MS
      ? fail(u, c, `expected a duration of at most 315576000000s (gRPC's largest); given ${show(u)}`)
      : t.success(ms)
  }
