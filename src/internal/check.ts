/**
 * Internal helpers that keep every delay finite, non-negative and at most `Number.MAX_SAFE_INTEGER`,
 * and that validate the arguments of public functions.
 *
 * @internal
 */

/** The largest delay a schedule may produce. */
export const MAX_DELAY = Number.MAX_SAFE_INTEGER

/** Maps NaN, negative values, -0 and non-numbers to 0 and values above `MAX_DELAY` to `MAX_DELAY`. */
export const clampDelay = (ms: number): number =>
  typeof ms === 'number' && ms > 0 ? (ms <= MAX_DELAY ? ms : MAX_DELAY) : 0

/** Describes a value in an error message; never throws, even for a value without a string form. */
export const describe = (value: unknown): string =>
  typeof value === 'number'
    ? String(value)
    : typeof value === 'string'
    ? `string ${value}`
    : value === null
    ? 'null'
    : typeof value

const message = (fn: string, arg: string, must: string, value: unknown): string =>
  `${fn}: ${arg} must ${must}, got ${describe(value)}`

/** Throws the `TypeError` of a value of the wrong type: `fn: arg must <must>, got <value>` ("be a function"). */
export const typeError = (fn: string, arg: string, must: string, value: unknown): never => {
  throw new TypeError(message(fn, arg, must, value))
}

// a number out of range is a RangeError; a value of the wrong type, a TypeError
const fail = (fn: string, arg: string, expected: string, value: unknown): never => {
  if (typeof value === 'number') throw new RangeError(message(fn, arg, `be ${expected}`, value))
  return typeError(fn, arg, `be ${expected}`, value)
}

// The rules, as predicates: the checks below throw when one fails, and Config reports the same rule as a
// decode problem, so a constructor and a config file accept exactly the same numbers.

/** A duration: a finite, non-negative number of milliseconds. */
export const isDuration = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0

/** A growth factor: a finite number of at least 1. */
export const isFactor = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 1

/** A count: a non-negative safe integer. */
export const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0

/** A jitter multiplier: a finite, non-negative number. */
export const isMultiplier = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0

/** Checks a duration: a finite, non-negative number of milliseconds. */
export const checkDuration = (fn: string, arg: string, value: number): number =>
  isDuration(value) ? value + 0 : fail(fn, arg, 'a finite non-negative number of milliseconds', value)

/** Checks a duration that must not be 0 (an attempt timeout): a finite number of milliseconds above 0. */
export const checkPositiveDuration = (fn: string, arg: string, value: number): number =>
  isDuration(value) && value > 0 ? value : fail(fn, arg, 'a finite number of milliseconds above 0', value)

/** Checks a growth factor: a finite number of at least 1. */
export const checkFactor = (fn: string, arg: string, value: number): number =>
  isFactor(value) ? value : fail(fn, arg, 'a finite number >= 1', value)

/** Checks a count: a non-negative safe integer. */
export const checkCount = (fn: string, arg: string, value: number): number =>
  isCount(value) ? value : fail(fn, arg, 'a non-negative integer', value)

/** Checks a jitter multiplier: a finite, non-negative number. */
export const checkMultiplier = (fn: string, arg: string, value: number): number =>
  isMultiplier(value) ? value : fail(fn, arg, 'a finite number >= 0', value)

/** Checks that a value is a function (a `TypeError` otherwise). */
export const checkFunction = <F>(fn: string, arg: string, value: F): F =>
  typeof value === 'function' ? value : typeError(fn, arg, 'be a function', value)

/** Checks that a value is a schedule: an object with a `step` function (a `TypeError` otherwise). */
export const checkSchedule = <S extends { readonly step: unknown }>(fn: string, arg: string, value: S): S =>
  typeof value === 'object' && typeof value?.step === 'function' ? value : typeError(fn, arg, 'be a Schedule', value)

/** Checks that `min <= max`. */
export const checkRange = (fn: string, min: number, max: number): void => {
  if (min > max) {
    throw new RangeError(`${fn}: min must not exceed max, got min ${min} and max ${max}`)
  }
}

/** Checks an integer (a safe one, of any sign). */
export const checkInteger = (fn: string, arg: string, value: number): number =>
  Number.isSafeInteger(value) ? value : fail(fn, arg, 'an integer', value)

/** Checks a finite number (of any sign). */
export const checkFinite = (fn: string, arg: string, value: number): number =>
  Number.isFinite(value) ? value : fail(fn, arg, 'a finite number', value)

/** Checks a finite number in [min, max]; `expected` says so in the error message. */
export const checkBetween = (
  fn: string,
  arg: string,
  value: number,
  min: number,
  max: number,
  expected: string
): number => (Number.isFinite(value) && value >= min && value <= max ? value : fail(fn, arg, expected, value))
