/**
 * Policies as data: io-ts codecs that read retry policies from JSON (configuration files,
 * environment variables, service configs) and turn them into schedules.
 *
 * Operations teams tune retries in configuration, not in code, so every codec here is strict: an
 * unknown key is an error that names the closest known key, contradictory keys (two base
 * schedules) are an error, and a value a constructor would reject with a `RangeError` is reported
 * as a decode problem instead. A typo can never silently become "retry forever without delay".
 *
 * A `ScheduleConfig` is turned into a schedule in a fixed order: the base schedule, then `jitter`,
 * `minDelay`, `cap`, `maxRetries`, `maxElapsed` and `maxCumulativeDelay`. Because `cap` comes after
 * `jitter`, it is a hard bound on every delay.
 *
 * Decoding turns every duration into milliseconds; encoding writes it back in a canonical form (see
 * `Duration`), so `encode(decode(json))` gives back `json` when its durations are canonical, and a
 * policy equivalent to it otherwise.
 *
 * @since 0.1.0
 */
import type { Either } from 'fp-ts/Either'
import * as t from 'io-ts'
import * as S from './Schedule'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How a duration may be written in JSON: a number of milliseconds, or a string with a unit (`"250ms"`,
 * `"1.5s"`, `".1s"`, `"2m"`, `"1h"`).
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const durations: ReadonlyArray<Config.DurationJson> = [250, '250ms', '1.5s', '2m']
 * assert.deepStrictEqual(durations.map((d) => Config.Duration.decode(d)), [
 *   E.right(250),
 *   E.right(250),
 *   E.right(1500),
 *   E.right(120000)
 * ])
 *
 * @category model
 * @since 0.1.0
 */
export type DurationJson = number | string

/**
 * The jitter of a decoded `ScheduleConfig`: a named kind, a random factor range `{ min, max }`
 * (`jitteredWith`), or a random amount of time to add, `{ add: max }` or `{ add: [min, max] }`
 * (`addJitter`), in milliseconds.
 *
 * @example
 * import * as Config from 'schedule-ts/Config'
 *
 * const jitter: Config.Jitter = { add: [10, 50] }
 * assert.deepStrictEqual(Config.encode({ constant: 1000, jitter }), { constant: '1s', jitter: { add: ['10ms', '50ms'] } })
 *
 * @category model
 * @since 0.1.0
 */
export type Jitter =
  | 'none'
  | 'default'
  | 'full'
  | 'equal'
  | { readonly min: number; readonly max: number }
  | { readonly add: number | readonly [number, number] }

/**
 * The jitter of a `ScheduleConfig` as written in JSON: like `Jitter`, with durations as `DurationJson`.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const jitter: Config.JitterJson = { add: ['10ms', '50ms'] }
 * assert.deepStrictEqual(
 *   Config.ScheduleConfig.decode({ constant: '1s', jitter }),
 *   E.right({ constant: 1000, jitter: { add: [10, 50] } })
 * )
 *
 * @category model
 * @since 0.1.0
 */
export type JitterJson =
  | 'none'
  | 'default'
  | 'full'
  | 'equal'
  | { readonly min: number; readonly max: number }
  | { readonly add: DurationJson | readonly [DurationJson, DurationJson] }

/**
 * A decoded schedule policy: at most one base schedule, then jitter, modifiers and limits, every
 * duration in milliseconds.
 *
 * @example
 * import * as Config from 'schedule-ts/Config'
 *
 * const config: Config.ScheduleConfig = { exponential: { base: 100 }, jitter: 'full', cap: 10000, maxRetries: 5 }
 * assert.strictEqual(Config.ScheduleConfig.is(config), true)
 *
 * @category model
 * @since 0.1.0
 */
export interface ScheduleConfig {
  readonly constant?: number
  readonly exponential?: { readonly base: number; readonly factor?: number }
  readonly fibonacci?: number
  readonly linear?: number
  readonly decorrelatedJitter?: { readonly base: number; readonly cap: number }
  readonly fromDelays?: ReadonlyArray<number>
  readonly jitter?: Jitter
  readonly minDelay?: number
  readonly cap?: number
  readonly maxRetries?: number
  readonly maxElapsed?: number
  readonly maxCumulativeDelay?: number
}

/**
 * A schedule policy as written in JSON: the keys of `ScheduleConfig`, with durations as `DurationJson`.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const json: Config.ScheduleConfigJson = { fibonacci: '100ms', cap: '5s', maxElapsed: '1m' }
 * assert.deepStrictEqual(Config.ScheduleConfig.decode(json), E.right({ fibonacci: 100, cap: 5000, maxElapsed: 60000 }))
 *
 * @category model
 * @since 0.1.0
 */
export interface ScheduleConfigJson {
  readonly constant?: DurationJson
  readonly exponential?: { readonly base: DurationJson; readonly factor?: number }
  readonly fibonacci?: DurationJson
  readonly linear?: DurationJson
  readonly decorrelatedJitter?: { readonly base: DurationJson; readonly cap: DurationJson }
  readonly fromDelays?: ReadonlyArray<DurationJson>
  readonly jitter?: JitterJson
  readonly minDelay?: DurationJson
  readonly cap?: DurationJson
  readonly maxRetries?: number
  readonly maxElapsed?: DurationJson
  readonly maxCumulativeDelay?: DurationJson
}

/**
 * The name of a gRPC status code, from `OK` (0) to `UNAUTHENTICATED` (16).
 *
 * @example
 * import * as Config from 'schedule-ts/Config'
 *
 * const codes: ReadonlyArray<Config.GrpcStatusCode> = ['UNAVAILABLE', 'RESOURCE_EXHAUSTED']
 * const { isRetryable } = Config.fromGrpcRetryPolicy({
 *   maxAttempts: 3,
 *   initialBackoff: 100,
 *   maxBackoff: 1000,
 *   backoffMultiplier: 2,
 *   retryableStatusCodes: codes
 * })
 * assert.strictEqual(isRetryable(8), true)
 *
 * @category model
 * @since 0.1.0
 */
export type GrpcStatusCode =
  | 'OK'
  | 'CANCELLED'
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'OUT_OF_RANGE'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DATA_LOSS'
  | 'UNAUTHENTICATED'

/**
 * A decoded gRPC `retryPolicy`: backoffs in milliseconds, status codes as upper-case names.
 * `maxAttempts` is kept as written; values above 5 count as 5 when the policy is used.
 *
 * @example
 * import * as Config from 'schedule-ts/Config'
 *
 * const policy: Config.GrpcRetryPolicy = {
 *   maxAttempts: 4,
 *   initialBackoff: 100,
 *   maxBackoff: 1000,
 *   backoffMultiplier: 2,
 *   retryableStatusCodes: ['UNAVAILABLE']
 * }
 * assert.strictEqual(Config.GrpcRetryPolicy.is(policy), true)
 *
 * @category model
 * @since 0.1.0
 */
export interface GrpcRetryPolicy {
  readonly maxAttempts: number
  readonly initialBackoff: number
  readonly maxBackoff: number
  readonly backoffMultiplier: number
  readonly retryableStatusCodes: ReadonlyArray<GrpcStatusCode>
}

/**
 * A gRPC `retryPolicy` as written in a gRPC service config: backoffs are strings such as `"0.1s"`,
 * status codes are names (any case) or numbers.
 *
 * @example
 * import * as Config from 'schedule-ts/Config'
 *
 * const json: Config.GrpcRetryPolicyJson = Config.GrpcRetryPolicy.encode({
 *   maxAttempts: 4,
 *   initialBackoff: 100,
 *   maxBackoff: 1000,
 *   backoffMultiplier: 2,
 *   retryableStatusCodes: ['UNAVAILABLE']
 * })
 * assert.deepStrictEqual(json, {
 *   maxAttempts: 4,
 *   initialBackoff: '0.1s',
 *   maxBackoff: '1s',
 *   backoffMultiplier: 2,
 *   retryableStatusCodes: ['UNAVAILABLE']
 * })
 *
 * @category model
 * @since 0.1.0
 */
export interface GrpcRetryPolicyJson {
  readonly maxAttempts: number
  readonly initialBackoff: string
  readonly maxBackoff: string
  readonly backoffMultiplier: number
  readonly retryableStatusCodes: ReadonlyArray<string | number>
}

/**
 * What a gRPC `retryPolicy` becomes: a schedule (its output is each delay) and a classifier that
 * tells whether a status code, by name (any case) or number, may be retried.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const result = Config.decodeGrpcRetryPolicy({
 *   maxAttempts: 2,
 *   initialBackoff: '1s',
 *   maxBackoff: '1s',
 *   backoffMultiplier: 1,
 *   retryableStatusCodes: ['UNAVAILABLE']
 * })
 * if (E.isRight(result)) {
 *   const retry: Config.GrpcRetry = result.right
 *   assert.strictEqual(retry.isRetryable('INTERNAL'), false)
 * }
 *
 * @category model
 * @since 0.1.0
 */
export interface GrpcRetry {
  readonly schedule: S.Schedule<unknown, number>
  readonly isRetryable: (code: string | number) => boolean
}

/**
 * One problem found while decoding: where (a dotted path such as `exponential.base`, `fromDelays[2]`;
 * empty for the value itself) and what was expected and given.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const result = Config.decode({ fromDelays: ['1s', '2'] })
 * const problems: ReadonlyArray<Config.ConfigProblem> = E.isLeft(result) ? result.left.problems : []
 * assert.strictEqual(problems[0].path, 'fromDelays[1]')
 *
 * @category model
 * @since 0.1.0
 */
export interface ConfigProblem {
  readonly path: string
  readonly message: string
}

/**
 * Why a policy could not be decoded: every problem at once, and a `message` that lists them one per
 * line as `path: message`.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const result = Config.decode({ constant: '10', cap: -1 })
 * assert.ok(E.isLeft(result))
 * const error: Config.ConfigError = result.left
 * assert.deepStrictEqual(error.problems.map((p) => p.path), ['constant', 'cap'])
 * assert.strictEqual(error.message.split('\n').length, 2)
 *
 * @category model
 * @since 0.1.0
 */
export interface ConfigError {
  readonly message: string
  readonly problems: ReadonlyArray<ConfigProblem>
}

// -------------------------------------------------------------------------------------
// internal: reading untrusted values
// -------------------------------------------------------------------------------------

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

// how the codecs are built: `json` decodes what users write; `decoded` accepts only the decoded form
// (durations in milliseconds, upper-case status code names) and backs `is`, `toSchedule` and
// `fromGrpcRetryPolicy`
type Mode = 'json' | 'decoded'

// the most items read from an array: a hostile sparse array must not make decoding loop for ever
const MAX_ITEMS = 1000

const MAX_SHOWN = 40

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)

// a copy without prototype, so that reading an absent key never reaches a polluted Object.prototype
const own = <A extends object>(a: A): A => Object.assign(Object.create(null), a)

const describeError = (error: unknown): string => {
  try {
    return error instanceof Error ? error.message : String(error)
  } catch {
    return 'an unprintable exception'
  }
}

const isArray = (u: unknown): u is ReadonlyArray<unknown> => {
  try {
    return Array.isArray(u)
  } catch {
    return false
  }
}

// a plain object, from any realm: its prototype is null or a prototype whose own prototype is null
const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) {
    return false
  }
  const proto: unknown = Object.getPrototypeOf(u)
  return proto === null || Object.getPrototypeOf(proto) === null
}

const showString = (s: string): string => JSON.stringify(s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s)

const showValue = (u: unknown, nested: boolean): string => {
  if (typeof u === 'string') {
    return showString(u)
  }
  if (typeof u === 'number') {
    return Object.is(u, -0) ? '-0' : String(u)
  }
  if (typeof u === 'bigint') {
    return `${String(u)}n`
  }
  if (u === undefined) {
    return nested ? 'undefined' : 'nothing'
  }
  if (typeof u === 'boolean' || u === null) {
    return String(u)
  }
  if (typeof u === 'symbol' || typeof u === 'function') {
    return `a ${typeof u}`
  }
  if (isArray(u)) {
    if (nested || u.length === 0) {
      return u.length === 0 ? '[]' : '[…]'
    }
    const items = u.slice(0, 3).map((item) => showValue(item, true))
    return `[${items.join(', ')}${u.length > 3 ? ', …' : ''}]`
  }
  if (!isPlainObject(u)) {
    return `a ${Object.prototype.toString.call(u).slice(8, -1)} object`
  }
  const keys = Object.keys(u)
  if (nested || keys.length === 0) {
    return keys.length === 0 ? '{}' : '{…}'
  }
  const entries = keys.slice(0, 3).map((key) => `${showString(key)}: ${showValue(u[key], true)}`)
  return `{${entries.join(', ')}${keys.length > 3 ? ', …' : ''}}`
}

// a short, safe rendering of any value for an error message: it never throws
const show = (u: unknown): string => {
  try {
    return showValue(u, false)
  } catch {
    return 'an unreadable value'
  }
}

// optimal string alignment distance: Levenshtein plus adjacent transpositions (`maxRetires`)
const distance = (a: string, b: string): number => {
  const rows: Array<Array<number>> = []
  for (let i = 0; i <= a.length; i++) {
    rows.push([i])
  }
  for (let j = 1; j <= b.length; j++) {
    rows[0][j] = j
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2][j - 2] + 1)
      }
      rows[i][j] = d
    }
  }
  return rows[a.length][b.length]
}

// the candidate closest to `word`, ignoring case, if it is close enough to be a likely typo
const closest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  if (word.length > 64) {
    return undefined
  }
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined
}

const didYouMean = (suggestion: string | undefined): string =>
  suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`

const problem = (value: unknown, context: t.Context, message: string): t.ValidationError => ({
  value,
  context,
  message
})

const fail = <A>(value: unknown, context: t.Context, message: string): t.Validation<A> =>
  t.failure(value, context, message)

// runs a validation, turning anything it throws (a getter, a proxy trap) into a decode problem
const guard =
  <A>(validate: (u: unknown, c: t.Context) => t.Validation<A>) =>
  (u: unknown, c: t.Context): t.Validation<A> => {
    try {
      return validate(u, c)
    } catch (error) {
      return fail(u, c, `could not be read: ${describeError(error)}`)
    }
  }

// the own, known, defined keys of a plain object; unknown keys become problems naming the closest known key
const readObject = (
  u: unknown,
  c: t.Context,
  known: ReadonlyArray<string>,
  expected: string,
  errors: t.Errors
): Record<string, unknown> | undefined => {
  if (!isPlainObject(u)) {
    errors.push(problem(u, c, `expected ${expected}; given ${show(u)}`))
    return undefined
  }
  for (const key of Object.keys(u)) {
    if (!known.includes(key)) {
      const suggestion = closest(key, known)
      errors.push(
        problem(
          undefined,
          t.appendContext(c, key, t.never),
          suggestion === undefined
            ? `unknown key; the known keys are ${known.join(', ')}`
            : `unknown key; did you mean ${JSON.stringify(suggestion)}?`
        )
      )
    }
  }
  const fields: Record<string, unknown> = Object.create(null)
  for (const key of known) {
    if (hasOwn(u, key)) {
      try {
        const value = u[key]
        if (value !== undefined) {
          fields[key] = value
        }
      } catch (error) {
        errors.push(
          problem(undefined, t.appendContext(c, key, t.unknown), `could not be read: ${describeError(error)}`)
        )
      }
    }
  }
  return fields
}

type Validator<A> = (u: unknown, c: t.Context) => t.Validation<A>

// validates `fields[key]`, collecting its problems; undefined when absent or invalid
const readField = <A>(
  fields: Record<string, unknown>,
  key: string,
  validate: Validator<A>,
  c: t.Context,
  errors: t.Errors,
  missing?: string
): A | undefined => {
  if (!(key in fields)) {
    if (missing !== undefined) {
      errors.push(problem(undefined, t.appendContext(c, key, t.unknown), `missing; expected ${missing}`))
    }
    return undefined
  }
  const value = fields[key]
  const result = validate(value, t.appendContext(c, key, t.unknown, value))
  if (result._tag === 'Left') {
    errors.push(...result.left)
    return undefined
  }
  return result.right
}

// validates every item of an array (at most MAX_ITEMS of them)
const readItems = <A>(
  u: unknown,
  c: t.Context,
  validate: Validator<A>,
  expected: string,
  errors: t.Errors
): ReadonlyArray<A> | undefined => {
  if (!isArray(u)) {
    errors.push(problem(u, c, `expected ${expected}; given ${show(u)}`))
    return undefined
  }
  if (u.length > MAX_ITEMS) {
    errors.push(problem(u, c, `expected at most ${MAX_ITEMS} items; given an array of ${u.length}`))
    return undefined
  }
  const items: Array<A> = []
  const before = errors.length
  for (let i = 0; i < u.length; i++) {
    const item = u[i]
    const result = validate(item, t.appendContext(c, String(i), t.unknown, item))
    if (result._tag === 'Left') {
      errors.push(...result.left)
    } else {
      items.push(result.right)
    }
  }
  return errors.length === before ? items : undefined
}

const collect = <A>(errors: t.Errors, value: A): t.Validation<A> =>
  errors.length > 0 ? t.failures(errors) : t.success(value)

// -------------------------------------------------------------------------------------
// internal: durations
// -------------------------------------------------------------------------------------

const DURATION_PATTERN = /^(\d+(\.\d*)?|\.\d+)(ms|s|m|h)$/
const UNITLESS_PATTERN = /^(\d+(\.\d*)?|\.\d+)$/
const COMPOUND_PATTERN = /^((\d+(\.\d*)?|\.\d+)(ms|s|m|h)){2,}$/

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

// a duration string in milliseconds, or undefined when it does not match the pattern
const parseDuration = (s: string): number | undefined => {
  const match = DURATION_PATTERN.exec(s)
  if (match === null) {
    return undefined
  }
  const [shift, multiplier] = UNITS[match[3]]
  const [whole, fraction = ''] = match[1].split('.')
  const digits = fraction.padEnd(shift, '0')
  return Number(`${whole}${digits.slice(0, shift)}.${digits.slice(shift)}`) * multiplier
}

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/

// the canonical form of a duration: the largest unit in which it is a whole number ("2m", "30s",
// "1500ms"), milliseconds with a fraction ("0.5ms"), or the number itself when no string is exact
const encodeDuration = (ms: number): DurationJson => {
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

const DURATION_EXAMPLES = 'such as 250 (milliseconds), "250ms", "1.5s", "2m" or "1h"'

const durationStringProblem = (s: string): string => {
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
  return `expected a duration ${DURATION_EXAMPLES}; given ${show(s)}${didYouMean(fixed)}`
}

const validateMilliseconds = (u: number, c: t.Context): t.Validation<number> =>
  !Number.isFinite(u)
    ? fail(u, c, `expected a finite duration, such as 250 (milliseconds) or "250ms"; given ${show(u)}`)
    : u < 0
    ? fail(u, c, `expected a duration of 0 or more, such as 250 (milliseconds) or "250ms"; given ${show(u)}`)
    : t.success(u === 0 ? 0 : u)

const validateDuration =
  (mode: Mode) =>
  (u: unknown, c: t.Context): t.Validation<number> => {
    if (typeof u === 'number') {
      return validateMilliseconds(u, c)
    }
    if (typeof u === 'string' && mode === 'json') {
      const ms = parseDuration(u)
      return ms === undefined
        ? fail(u, c, durationStringProblem(u))
        : Number.isFinite(ms)
        ? t.success(ms)
        : fail(u, c, `expected a duration small enough to be a finite number of milliseconds; given ${show(u)}`)
    }
    return mode === 'json'
      ? fail(u, c, `expected a duration ${DURATION_EXAMPLES}; given ${show(u)}`)
      : fail(u, c, `expected a number of milliseconds such as 250 (decode the JSON first); given ${show(u)}`)
  }

// gRPC durations are strings ("0.1s"), between 1 nanosecond and gRPC's largest duration
const GRPC_MIN_MS = 0.000001
const GRPC_MAX_MS = 315_576_000_000_000

const toSeconds = (ms: number): string => {
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

const validateGrpcDuration =
  (mode: Mode) =>
  (u: unknown, c: t.Context): t.Validation<number> => {
    if (mode === 'json' && typeof u === 'number') {
      return fail(
        u,
        c,
        `expected a duration string such as "0.1s" (gRPC writes durations as strings; a bare number has no unit); given ${show(
          u
        )}`
      )
    }
    const result = validateDuration(mode)(u, c)
    if (result._tag === 'Left') {
      return result
    }
    const ms = result.right
    return ms < GRPC_MIN_MS
      ? fail(u, c, `expected a duration above 0 (gRPC's backoffs must be positive), such as "0.1s"; given ${show(u)}`)
      : ms > GRPC_MAX_MS
      ? fail(u, c, `expected a duration of at most 315576000000s (gRPC's largest); given ${show(u)}`)
      : t.success(ms)
  }

// -------------------------------------------------------------------------------------
// internal: numbers
// -------------------------------------------------------------------------------------

const validateCount = (u: unknown, c: t.Context): t.Validation<number> =>
  typeof u === 'number' && Number.isSafeInteger(u) && u >= 0
    ? t.success(u === 0 ? 0 : u)
    : fail(u, c, `expected a whole number of 0 or more, such as 5; given ${show(u)}`)

const validateFactor = (u: unknown, c: t.Context): t.Validation<number> =>
  typeof u === 'number' && Number.isFinite(u) && u >= 1
    ? t.success(u)
    : fail(
        u,
        c,
        `expected a finite growth factor of at least 1, such as 2 (1 keeps the delay constant); given ${show(u)}`
      )

const validateMultiplier = (u: unknown, c: t.Context): t.Validation<number> =>
  typeof u === 'number' && Number.isFinite(u) && u >= 0
    ? t.success(u === 0 ? 0 : u)
    : fail(u, c, `expected a finite multiplier of the delay of 0 or more, such as 0.5; given ${show(u)}`)

// -------------------------------------------------------------------------------------
// internal: gRPC status codes
// -------------------------------------------------------------------------------------

const GRPC_STATUS_CODES: ReadonlyArray<GrpcStatusCode> = [
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
]

// the number of a status code given by name (any case) or number, or -1
const statusCodeNumber = (code: unknown): number =>
  typeof code === 'number'
    ? Number.isInteger(code) && code >= 0 && code < GRPC_STATUS_CODES.length
      ? code
      : -1
    : typeof code === 'string'
    ? GRPC_STATUS_CODES.indexOf(code.toUpperCase() as GrpcStatusCode)
    : -1

const validateStatusCode =
  (mode: Mode) =>
  (u: unknown, c: t.Context): t.Validation<GrpcStatusCode> => {
    if (mode === 'decoded') {
      return typeof u === 'string' && GRPC_STATUS_CODES.includes(u as GrpcStatusCode)
        ? t.success(u as GrpcStatusCode)
        : fail(u, c, `expected an upper-case gRPC status code name such as "UNAVAILABLE"; given ${show(u)}`)
    }
    const code = statusCodeNumber(u)
    return code >= 0
      ? t.success(GRPC_STATUS_CODES[code])
      : fail(
          u,
          c,
          `expected a gRPC status code name such as "UNAVAILABLE" or a number from 0 to 16; given ${show(
            u
          )}${didYouMean(typeof u === 'string' ? closest(u.toUpperCase(), GRPC_STATUS_CODES) : undefined)}`
        )
  }

// -------------------------------------------------------------------------------------
// internal: the codecs, built once for JSON and once for the decoded form
// -------------------------------------------------------------------------------------

const BASE_KEYS = ['constant', 'exponential', 'fibonacci', 'linear', 'decorrelatedJitter', 'fromDelays'] as const

const SCHEDULE_KEYS: ReadonlyArray<keyof ScheduleConfig> = [
  ...BASE_KEYS,
  'jitter',
  'minDelay',
  'cap',
  'maxRetries',
  'maxElapsed',
  'maxCumulativeDelay'
]

const GRPC_KEYS: ReadonlyArray<keyof GrpcRetryPolicy> = [
  'maxAttempts',
  'initialBackoff',
  'maxBackoff',
  'backoffMultiplier',
  'retryableStatusCodes'
]

const JITTER_KINDS = ['none', 'default', 'full', 'equal'] as const

const JITTER_EXPECTED = `"none", "default", "full", "equal", {"min": 0.5, "max": 1.5} or {"add": "100ms"}`

const isAddJitter = (jitter: Exclude<Jitter, string>): jitter is Extract<Jitter, { readonly add: unknown }> =>
  hasOwn(jitter, 'add')

const encodeJitter = (jitter: Jitter): JitterJson =>
  typeof jitter === 'string' || !isAddJitter(jitter)
    ? jitter
    : {
        add:
          typeof jitter.add === 'number'
            ? encodeDuration(jitter.add)
            : [encodeDuration(jitter.add[0]), encodeDuration(jitter.add[1])]
      }

const encodeScheduleConfig = (input: ScheduleConfig): ScheduleConfigJson => {
  const config = own(input)
  const out: Mutable<ScheduleConfigJson> = {}
  const duration = (ms: number | undefined): DurationJson | undefined =>
    ms === undefined ? undefined : encodeDuration(ms)
  const entries: ScheduleConfigJson = {
    constant: duration(config.constant),
    exponential:
      config.exponential === undefined
        ? undefined
        : own(config.exponential).factor === undefined
        ? { base: encodeDuration(config.exponential.base) }
        : { base: encodeDuration(config.exponential.base), factor: config.exponential.factor },
    fibonacci: duration(config.fibonacci),
    linear: duration(config.linear),
    decorrelatedJitter:
      config.decorrelatedJitter === undefined
        ? undefined
        : { base: encodeDuration(config.decorrelatedJitter.base), cap: encodeDuration(config.decorrelatedJitter.cap) },
    fromDelays: config.fromDelays === undefined ? undefined : config.fromDelays.map(encodeDuration),
    jitter: config.jitter === undefined ? undefined : encodeJitter(config.jitter),
    minDelay: duration(config.minDelay),
    cap: duration(config.cap),
    maxRetries: config.maxRetries,
    maxElapsed: duration(config.maxElapsed),
    maxCumulativeDelay: duration(config.maxCumulativeDelay)
  }
  for (const key of SCHEDULE_KEYS) {
    if (entries[key] !== undefined) {
      ;(out as Record<string, unknown>)[key] = entries[key]
    }
  }
  return out
}

const encodeGrpcRetryPolicy = (policy: GrpcRetryPolicy): GrpcRetryPolicyJson => ({
  maxAttempts: policy.maxAttempts,
  initialBackoff: toSeconds(policy.initialBackoff),
  maxBackoff: toSeconds(policy.maxBackoff),
  backoffMultiplier: policy.backoffMultiplier,
  retryableStatusCodes: policy.retryableStatusCodes.slice()
})

interface Codecs {
  readonly Duration: t.Type<number, DurationJson, unknown>
  readonly ScheduleConfig: t.Type<ScheduleConfig, ScheduleConfigJson, unknown>
  readonly GrpcRetryPolicy: t.Type<GrpcRetryPolicy, GrpcRetryPolicyJson, unknown>
}

// `is` checks the decoded form, whichever set of codecs it belongs to
const isDecoded =
  <A>(codec: () => t.Decoder<unknown, A>) =>
  (u: unknown): u is A =>
    codec().validate(u, t.getDefaultContext(codec()))._tag === 'Right'

const validateMaxAttempts: Validator<number> = (u, c) =>
  typeof u === 'number' && Number.isInteger(u) && u >= 2
    ? t.success(u)
    : fail(
        u,
        c,
        `expected a whole number of at least 2, such as 4 (maxAttempts counts the first call, so 2 allows one retry); given ${show(
          u
        )}`
      )

const validateBackoffMultiplier: Validator<number> = (u, c) =>
  typeof u === 'number' && Number.isFinite(u) && u > 0
    ? t.success(u)
    : fail(u, c, `expected a finite number above 0, such as 2 (below 1 shrinks the backoff); given ${show(u)}`)

const makeCodecs = (mode: Mode): Codecs => {
  const duration = guard(validateDuration(mode))

  const jitterAdd: Validator<number | readonly [number, number]> = guard((u, c) => {
    if (!isArray(u)) {
      return typeof u === 'number' || typeof u === 'string'
        ? duration(u, c)
        : fail(
            u,
            c,
            `expected a duration such as "100ms" or a pair of durations such as ["10ms", "50ms"]; given ${show(u)}`
          )
    }
    if (u.length !== 2) {
      return fail(u, c, `expected a pair of durations [min, max] such as ["10ms", "50ms"]; given ${show(u)}`)
    }
    const errors: t.Errors = []
    const pair = readItems(u, c, duration, 'a pair of durations', errors)
    return pair !== undefined && pair[0] > pair[1]
      ? fail(u, c, `expected a pair [min, max] with min <= max; given ${show(u)}`)
      : collect(errors, pair as readonly [number, number])
  })

  const jitter: Validator<Jitter> = guard((u, c) => {
    if (typeof u === 'string') {
      return JITTER_KINDS.includes(u as 'none')
        ? t.success(u as Jitter)
        : fail(u, c, `expected ${JITTER_EXPECTED}; given ${show(u)}${didYouMean(closest(u, JITTER_KINDS))}`)
    }
    const errors: t.Errors = []
    const fields = readObject(u, c, ['min', 'max', 'add'], JITTER_EXPECTED, errors)
    if (fields === undefined) {
      return t.failures(errors)
    }
    if ('add' in fields) {
      if ('min' in fields || 'max' in fields) {
        errors.push(
          problem(
            u,
            c,
            `expected either {"min", "max"} (a factor range) or {"add"} (a duration), not both; given ${show(u)}`
          )
        )
      }
      const add = readField(fields, 'add', jitterAdd, c, errors)
      return collect(errors, { add } as Jitter)
    }
    const min = readField(fields, 'min', validateMultiplier, c, errors, 'a multiplier of the delay such as 0.5')
    const max = readField(fields, 'max', validateMultiplier, c, errors, 'a multiplier of the delay such as 1.5')
    if (min !== undefined && max !== undefined && min > max) {
      errors.push(problem(u, c, `expected min <= max; given min ${show(min)} and max ${show(max)}`))
    }
    return collect(errors, { min, max } as Jitter)
  })

  const exponential: Validator<NonNullable<ScheduleConfig['exponential']>> = guard((u, c) => {
    const errors: t.Errors = []
    const hint = duration(u, c)._tag === 'Right' ? ` (write {"base": ${show(u)}})` : ''
    const fields = readObject(
      u,
      c,
      ['base', 'factor'],
      `an object such as {"base": "100ms", "factor": 2}${hint}`,
      errors
    )
    if (fields === undefined) {
      return t.failures(errors)
    }
    const base = readField(fields, 'base', duration, c, errors, 'a duration such as "100ms"')
    const factor = readField(fields, 'factor', validateFactor, c, errors)
    return collect(errors, factor === undefined ? { base: base as number } : { base: base as number, factor })
  })

  const decorrelatedJitter: Validator<NonNullable<ScheduleConfig['decorrelatedJitter']>> = guard((u, c) => {
    const errors: t.Errors = []
    const fields = readObject(u, c, ['base', 'cap'], 'an object such as {"base": "100ms", "cap": "10s"}', errors)
    if (fields === undefined) {
      return t.failures(errors)
    }
    const base = readField(fields, 'base', duration, c, errors, 'a duration such as "100ms"')
    const cap = readField(fields, 'cap', duration, c, errors, 'a duration such as "10s"')
    if (base !== undefined && cap !== undefined && cap < base) {
      errors.push(
        problem(
          fields.cap,
          t.appendContext(c, 'cap', t.unknown, fields.cap),
          `expected at least base (${show(fields.base)}); given ${show(fields.cap)}`
        )
      )
    }
    return collect(errors, { base: base as number, cap: cap as number })
  })

  const fromDelays: Validator<ReadonlyArray<number>> = guard((u, c) => {
    const errors: t.Errors = []
    const delays = readItems(u, c, duration, 'an array of durations such as ["100ms", "1s", "5s"]', errors)
    return collect(errors, delays as ReadonlyArray<number>)
  })

  const scheduleConfig: Validator<ScheduleConfig> = guard((u, c) => {
    const errors: t.Errors = []
    const fields = readObject(
      u,
      c,
      SCHEDULE_KEYS,
      'a schedule policy object such as {"exponential": {"base": "100ms"}, "maxRetries": 5}',
      errors
    )
    if (fields === undefined) {
      return t.failures(errors)
    }
    const config: Mutable<ScheduleConfig> = {}
    const set = <K extends keyof ScheduleConfig>(key: K, validate: Validator<ScheduleConfig[K]>): void => {
      const value = readField(fields, key, validate, c, errors)
      if (value !== undefined) {
        config[key] = value
      }
    }
    set('constant', duration)
    set('exponential', exponential)
    set('fibonacci', duration)
    set('linear', duration)
    set('decorrelatedJitter', decorrelatedJitter)
    set('fromDelays', fromDelays)
    set('jitter', jitter)
    set('minDelay', duration)
    set('cap', duration)
    set('maxRetries', validateCount)
    set('maxElapsed', duration)
    set('maxCumulativeDelay', duration)
    const bases = BASE_KEYS.filter((key) => key in fields)
    for (const key of bases.slice(1)) {
      errors.push(
        problem(
          fields[key],
          t.appendContext(c, key, t.unknown, fields[key]),
          `conflicts with ${JSON.stringify(bases[0])}: give at most one base schedule (${BASE_KEYS.join(', ')})`
        )
      )
    }
    if (hasOwn(config, 'minDelay') && hasOwn(config, 'cap') && (config.minDelay as number) > (config.cap as number)) {
      errors.push(
        problem(
          fields.cap,
          t.appendContext(c, 'cap', t.unknown, fields.cap),
          `expected at least minDelay (${show(fields.minDelay)}), since cap is applied after it; given ${show(
            fields.cap
          )}`
        )
      )
    }
    return collect(errors, config)
  })

  const grpcDuration = guard(validateGrpcDuration(mode))
  const statusCode = guard(validateStatusCode(mode))

  const grpcRetryPolicy: Validator<GrpcRetryPolicy> = guard((u, c) => {
    const errors: t.Errors = []
    const fields = readObject(
      u,
      c,
      GRPC_KEYS,
      'a gRPC retryPolicy object such as {"maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}',
      errors
    )
    if (fields === undefined) {
      return t.failures(errors)
    }
    const maxAttempts = readField(
      fields,
      'maxAttempts',
      validateMaxAttempts,
      c,
      errors,
      'a whole number of at least 2, such as 4'
    )
    const initialBackoff = readField(fields, 'initialBackoff', grpcDuration, c, errors, 'a duration such as "0.1s"')
    const maxBackoff = readField(fields, 'maxBackoff', grpcDuration, c, errors, 'a duration such as "1s"')
    const backoffMultiplier = readField(
      fields,
      'backoffMultiplier',
      validateBackoffMultiplier,
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
      maxAttempts: maxAttempts as number,
      initialBackoff: initialBackoff as number,
      maxBackoff: maxBackoff as number,
      backoffMultiplier: backoffMultiplier as number,
      retryableStatusCodes: retryableStatusCodes as ReadonlyArray<GrpcStatusCode>
    })
  })

  return {
    Duration: new t.Type(
      'Duration',
      isDecoded(() => decodedCodecs.Duration),
      duration,
      encodeDuration
    ),
    ScheduleConfig: new t.Type(
      'ScheduleConfig',
      isDecoded(() => decodedCodecs.ScheduleConfig),
      scheduleConfig,
      encodeScheduleConfig
    ),
    GrpcRetryPolicy: new t.Type(
      'GrpcRetryPolicy',
      isDecoded(() => decodedCodecs.GrpcRetryPolicy),
      grpcRetryPolicy,
      encodeGrpcRetryPolicy
    )
  }
}

const decodedCodecs: Codecs = makeCodecs('decoded')
const jsonCodecs: Codecs = makeCodecs('json')

// -------------------------------------------------------------------------------------
// internal: building schedules
// -------------------------------------------------------------------------------------

const baseSchedule = (config: ScheduleConfig): S.Schedule<unknown, unknown> =>
  config.constant !== undefined
    ? S.constant(config.constant)
    : config.exponential !== undefined
    ? S.exponential(config.exponential.base, own(config.exponential).factor)
    : config.fibonacci !== undefined
    ? S.fibonacci(config.fibonacci)
    : config.linear !== undefined
    ? S.linear(config.linear)
    : config.decorrelatedJitter !== undefined
    ? S.decorrelatedJitter(config.decorrelatedJitter)
    : config.fromDelays !== undefined
    ? S.fromDelays(...config.fromDelays)
    : S.forever

const applyJitter = (jitter: Jitter): (<In, Out>(self: S.Schedule<In, Out>) => S.Schedule<In, Out>) =>
  jitter === 'none'
    ? (self) => self
    : jitter === 'default'
    ? S.jittered
    : jitter === 'full'
    ? S.fullJitter
    : jitter === 'equal'
    ? S.equalJitter
    : isAddJitter(jitter)
    ? S.addJitter(jitter.add)
    : S.jitteredWith(jitter)

const optional =
  <A>(value: A | undefined, f: (a: A) => <In, Out>(self: S.Schedule<In, Out>) => S.Schedule<In, Out>) =>
  <In, Out>(self: S.Schedule<In, Out>): S.Schedule<In, Out> =>
    value === undefined ? self : f(value)(self)

// builds a valid, decoded config: base, jitter, minDelay, cap, maxRetries, maxElapsed, maxCumulativeDelay
const build = (input: ScheduleConfig): S.Schedule<unknown, number> => {
  const config = own(input)
  const steps = [
    optional(config.jitter, applyJitter),
    optional(config.minDelay, S.minDelay),
    optional(config.cap, S.capDelay),
    optional(config.maxRetries, S.maxRetries),
    optional(config.maxElapsed, S.maxElapsed),
    optional(config.maxCumulativeDelay, S.maxCumulativeDelay)
  ]
  return S.delays(steps.reduce((schedule, step) => step(schedule), baseSchedule(config)))
}

// n-th retry (n = 0 first): U(0, min(initialBackoff · multiplier^n, maxBackoff))
const buildGrpc = (policy: GrpcRetryPolicy): GrpcRetry => {
  const retries = Math.min(policy.maxAttempts, 5) - 1
  const bound = S.make(0, (_input: unknown, _context, n: number) => {
    const backoff = Math.min(policy.initialBackoff * Math.pow(policy.backoffMultiplier, n), policy.maxBackoff)
    return S.continueAfter(backoff, backoff, n + 1)
  })
  const retryable = new Set(policy.retryableStatusCodes.map(statusCodeNumber))
  return {
    schedule: S.delays(S.maxRetries(retries)(S.fullJitter(bound))),
    isRetryable: (code) => retryable.has(statusCodeNumber(code))
  }
}

const checked = <A>(fn: string, codec: t.Decoder<unknown, A>, value: A): A => {
  const result = codec.validate(value, t.getDefaultContext(codec))
  if (result._tag === 'Left') {
    const problems = toConfigError(result.left).problems.map((p) =>
      p.path === '' ? p.message : `${p.path}: ${p.message}`
    )
    throw new RangeError(`${fn}: invalid config: ${problems.join('; ')}`)
  }
  return result.right
}

// an Either is a plain object: building it here keeps fp-ts a type-only import, as in every module,
// so that the ESM build runs in Node (fp-ts 2 has no `exports` map for its subpaths)
const mapBoth = <E1, A, E2, B>(result: Either<E1, A>, f: (e: E1) => E2, g: (a: A) => B): Either<E2, B> =>
  result._tag === 'Left' ? { _tag: 'Left', left: f(result.left) } : { _tag: 'Right', right: g(result.right) }

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

/**
 * A duration: a finite, non-negative number of milliseconds, or a string with a unit (`ms`, `s`,
 * `m`, `h`; decimals allowed, as in `"1.5s"` and gRPC's `".1s"`). It decodes to milliseconds.
 *
 * A string without a unit (`"10"`) is an error, since its unit would be a guess; so are negative,
 * NaN and infinite values, and compound strings such as `"1m30s"`. Encoding writes the canonical
 * form: the largest unit in which the duration is a whole number (`"2m"`, `"90s"`, `"1500ms"`),
 * else milliseconds with a fraction (`"0.5ms"`).
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * assert.deepStrictEqual(Config.Duration.decode('1.5s'), E.right(1500))
 * assert.deepStrictEqual(Config.Duration.decode('.1s'), E.right(100))
 * assert.deepStrictEqual(Config.Duration.decode(250), E.right(250))
 * assert.strictEqual(E.isLeft(Config.Duration.decode('10')), true)
 * assert.strictEqual(Config.Duration.encode(90000), '90s')
 *
 * @category codecs
 * @since 0.1.0
 */
export const Duration: t.Type<number, DurationJson, unknown> = jsonCodecs.Duration

/**
 * A strict codec for a schedule policy written as JSON, such as
 * `{ "exponential": { "base": "100ms" }, "jitter": "full", "cap": "10s", "maxRetries": 5 }`.
 *
 * Keys: at most one base among `constant`, `fibonacci`, `linear` (a duration each), `exponential`
 * (`{ base, factor? }`, factor >= 1), `decorrelatedJitter` (`{ base, cap }`, cap >= base) and
 * `fromDelays` (durations); none means zero delays. Then `jitter` (`"none"`, `"default"`,
 * `"full"`, `"equal"`, `{ min, max }` factors, `{ add: max }` or `{ add: [min, max] }` durations),
 * `minDelay`, `cap` (at least `minDelay`), and the limits `maxRetries`, `maxElapsed`,
 * `maxCumulativeDelay`. An unknown key is an error naming the closest known key. Gotcha: a policy
 * with no limit never gives up.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const json = { exponential: { base: '100ms' }, jitter: 'full', cap: '10s', maxRetries: 5 }
 * assert.deepStrictEqual(
 *   Config.ScheduleConfig.decode(json),
 *   E.right({ exponential: { base: 100 }, jitter: 'full', cap: 10000, maxRetries: 5 })
 * )
 * assert.strictEqual(E.isLeft(Config.ScheduleConfig.decode({ maxRetires: 5 })), true)
 *
 * @category codecs
 * @since 0.1.0
 */
export const ScheduleConfig: t.Type<ScheduleConfig, ScheduleConfigJson, unknown> = jsonCodecs.ScheduleConfig

/**
 * A strict codec for gRPC's `retryPolicy`, as written in a gRPC service config: `maxAttempts`
 * (counting the first call, at least 2), `initialBackoff` and `maxBackoff` (duration strings above
 * 0, such as `"0.1s"`), `backoffMultiplier` (above 0) and `retryableStatusCodes` (a non-empty
 * array of names in any case, or numbers from 0 to 16).
 *
 * Every key is required, as in gRPC. Backoffs must be strings: a bare number would be ambiguous,
 * since gRPC counts in seconds and `Duration` in milliseconds. Encoding writes backoffs in seconds
 * and codes as upper-case names, which gRPC reads back.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const json = {
 *   maxAttempts: 4,
 *   initialBackoff: '.1s',
 *   maxBackoff: '1s',
 *   backoffMultiplier: 2,
 *   retryableStatusCodes: ['unavailable', 4]
 * }
 * assert.deepStrictEqual(
 *   Config.GrpcRetryPolicy.decode(json),
 *   E.right({
 *     maxAttempts: 4,
 *     initialBackoff: 100,
 *     maxBackoff: 1000,
 *     backoffMultiplier: 2,
 *     retryableStatusCodes: ['UNAVAILABLE', 'DEADLINE_EXCEEDED']
 *   })
 * )
 *
 * @category codecs
 * @since 0.1.0
 */
export const GrpcRetryPolicy: t.Type<GrpcRetryPolicy, GrpcRetryPolicyJson, unknown> = jsonCodecs.GrpcRetryPolicy

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Turns io-ts validation errors into a `ConfigError`: one problem per error, with its dotted path
 * and message; `message` lists them one per line.
 *
 * Use it when a policy is part of a larger io-ts codec of your own: paths then start at your root
 * (`retry.exponential.base`). Errors of other io-ts codecs get an "expected ..., given ..." message.
 *
 * @example
 * import * as t from 'io-ts'
 * import * as E from 'fp-ts/Either'
 * import { pipe } from 'fp-ts/function'
 * import * as Config from 'schedule-ts/Config'
 *
 * const AppConfig = t.type({ url: t.string, retry: Config.ScheduleConfig })
 * const result = pipe(AppConfig.decode({ url: 'http://x', retry: { exponential: { base: '10' } } }), E.mapLeft(Config.toConfigError))
 * assert.ok(E.isLeft(result) && result.left.problems[0].path === 'retry.exponential.base')
 *
 * @category constructors
 * @since 0.1.0
 */
export const toConfigError = (errors: t.Errors): ConfigError => {
  const problems = errors.map((error): ConfigProblem => {
    let path = ''
    for (let i = 1; i < error.context.length; i++) {
      const parent = error.context[i - 1]
      const key = error.context[i].key
      if (parent.type instanceof t.UnionType || parent.type instanceof t.IntersectionType) {
        continue
      }
      path += isArray(parent.actual)
        ? `[${key}]`
        : IDENTIFIER.test(key)
        ? path === ''
          ? key
          : `.${key}`
        : `[${showString(key)}]`
    }
    const last = error.context[error.context.length - 1]
    const message =
      error.message ?? `expected ${last === undefined ? 'a valid value' : last.type.name}; given ${show(error.value)}`
    return { path, message }
  })
  return {
    message: problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.message}`).join('\n'),
    problems
  }
}

/**
 * Builds the schedule a decoded policy describes; its output is each delay.
 *
 * The order is fixed: the base schedule (`forever` with zero delays when there is none), then
 * `jitter`, `minDelay`, `cap`, `maxRetries`, `maxElapsed`, `maxCumulativeDelay`. Like the
 * constructors it throws a `RangeError` on an invalid config (one not produced by decoding); use
 * `decode` to read untrusted input without throwing.
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Config from 'schedule-ts/Config'
 *
 * const schedule = Config.toSchedule({ exponential: { base: 100 }, cap: 300, maxRetries: 4 })
 * assert.deepStrictEqual(pipe(schedule, S.simulate({ steps: 10 })).map((s) => s.delay), [100, 200, 300, 300])
 *
 * @category constructors
 * @since 0.1.0
 */
export const toSchedule = (config: ScheduleConfig): S.Schedule<unknown, number> =>
  build(checked('Config.toSchedule', decodedCodecs.ScheduleConfig, config))

/**
 * Decodes a policy (any JSON value) straight into a schedule, or every problem found, never
 * throwing, whatever the input.
 *
 * Use it where a policy comes from outside the program: a configuration file, an environment
 * variable. The schedule's output is each delay.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Config from 'schedule-ts/Config'
 *
 * const policy = Config.decode(JSON.parse('{"exponential":{"base":"100ms"},"maxRetries":3}'))
 * assert.deepStrictEqual(
 *   pipe(policy, E.map((schedule) => pipe(schedule, S.simulate({ steps: 10 })).map((s) => s.delay))),
 *   E.right([100, 200, 400])
 * )
 *
 * const typo = Config.decode({ exponential: { base: '100ms' }, maxRetires: 3 })
 * assert.deepStrictEqual(
 *   pipe(typo, E.mapLeft((e) => e.message)),
 *   E.left('maxRetires: unknown key; did you mean "maxRetries"?')
 * )
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (u: unknown): Either<ConfigError, S.Schedule<unknown, number>> =>
  mapBoth(ScheduleConfig.decode(u), toConfigError, build)

/**
 * Writes a decoded policy back as JSON, durations in their canonical form (see `Duration`).
 *
 * `encode` after `decode` gives back the input when its durations are canonical (`"100ms"`,
 * `"30s"`, `"2m"`); otherwise an equivalent policy (`".1s"` comes back as `"100ms"`, `250` as
 * `"250ms"`).
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import { pipe } from 'fp-ts/function'
 * import * as Config from 'schedule-ts/Config'
 *
 * const json = { exponential: { base: '100ms', factor: 3 }, jitter: 'full', maxElapsed: '30s' }
 * assert.deepStrictEqual(pipe(Config.ScheduleConfig.decode(json), E.map(Config.encode)), E.right(json))
 * assert.deepStrictEqual(Config.encode({ constant: 1500 }), { constant: '1500ms' })
 *
 * @category constructors
 * @since 0.1.0
 */
export const encode = (config: ScheduleConfig): ScheduleConfigJson => ScheduleConfig.encode(config)

/**
 * Turns a decoded gRPC `retryPolicy` into a schedule and a status code classifier, with gRPC's
 * semantics: at most `min(maxAttempts, 5) - 1` retries, the n-th waiting
 * U(0, min(initialBackoff · backoffMultiplier^(n-1), maxBackoff)).
 *
 * The classifier is not part of the schedule: combine them with `whileInput` on your error type.
 * Throws a `RangeError` on an invalid policy (one not produced by decoding).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Config from 'schedule-ts/Config'
 *
 * const { schedule, isRetryable } = Config.fromGrpcRetryPolicy({
 *   maxAttempts: 4,
 *   initialBackoff: 100,
 *   maxBackoff: 1000,
 *   backoffMultiplier: 2,
 *   retryableStatusCodes: ['UNAVAILABLE']
 * })
 * const delays = pipe(schedule, S.simulate({ steps: 10 })).map((s) => s.delay)
 * assert.strictEqual(delays.length, 3)
 * assert.ok(delays[0] < 100 && delays[1] < 200 && delays[2] < 400)
 * assert.strictEqual(isRetryable('unavailable') && isRetryable(14) && !isRetryable('NOT_FOUND'), true)
 *
 * interface GrpcError { readonly code: number }
 * const retryTransient = pipe(schedule, S.whileInput((e: GrpcError) => isRetryable(e.code)))
 * assert.strictEqual(pipe(retryTransient, S.simulate({ steps: 10, inputs: [{ code: 14 }, { code: 5 }] })).length, 1)
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromGrpcRetryPolicy = (policy: GrpcRetryPolicy): GrpcRetry =>
  buildGrpc(checked('Config.fromGrpcRetryPolicy', decodedCodecs.GrpcRetryPolicy, policy))

/**
 * Decodes a gRPC `retryPolicy` (any JSON value) straight into a schedule and a classifier, or every
 * problem found, never throwing.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const result = Config.decodeGrpcRetryPolicy({
 *   maxAttempts: 1,
 *   initialBackoff: '0.1s',
 *   maxBackoff: '1s',
 *   backoffMultiplier: 2,
 *   retryableStatusCodes: ['UNAVAILABLE']
 * })
 * assert.ok(E.isLeft(result) && result.left.problems[0].path === 'maxAttempts')
 *
 * @category constructors
 * @since 0.1.0
 */
export const decodeGrpcRetryPolicy = (u: unknown): Either<ConfigError, GrpcRetry> =>
  mapBoth(GrpcRetryPolicy.decode(u), toConfigError, buildGrpc)
