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
 * gRPC's `retryPolicy` and `hedgingPolicy` are read verbatim from a service config, with gRPC's
 * semantics (`GrpcRetryPolicy`, `GrpcHedgingPolicy`).
 *
 * @since 0.1.0
 */
import type { Either } from 'fp-ts/Either'
import * as t from 'io-ts'
import { isCount, isFactor, isMultiplier } from './internal/check'
import {
  closest,
  collect,
  didYouMean,
  fail,
  guard,
  hasOwn,
  isArray,
  listProblems,
  numberWhere
} from './internal/decoding'
import { own, problem, readField, readItems, readObject, show, toProblems, type Validator } from './internal/decoding'
import * as durations from './internal/durations'
import { encodeDuration } from './internal/durations'
import { bimap } from './internal/fp'
import * as grpc from './internal/grpc'
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
 * A decoded gRPC `hedgingPolicy`: the delay in milliseconds, status codes as upper-case names.
 * `maxAttempts` is kept as written (values above 5 count as 5 when the policy is used), and absent
 * keys stay absent: no `hedgingDelay` means 0 (every attempt at once), no `nonFatalStatusCodes` means
 * none.
 *
 * @example
 * import * as Config from 'schedule-ts/Config'
 *
 * const policy: Config.GrpcHedgingPolicy = { maxAttempts: 3, hedgingDelay: 500, nonFatalStatusCodes: ['UNAVAILABLE'] }
 * assert.strictEqual(Config.GrpcHedgingPolicy.is(policy), true)
 * assert.strictEqual(Config.GrpcHedgingPolicy.is({ maxAttempts: 3 }), true)
 *
 * @category model
 * @since 0.2.0
 */
export interface GrpcHedgingPolicy {
  readonly maxAttempts: number
  readonly hedgingDelay?: number | undefined
  readonly nonFatalStatusCodes?: ReadonlyArray<GrpcStatusCode> | undefined
}

/**
 * A gRPC `hedgingPolicy` as written in a gRPC service config: the delay is a string such as
 * `"0.5s"`, status codes are names (any case) or numbers.
 *
 * @example
 * import * as Config from 'schedule-ts/Config'
 *
 * const json: Config.GrpcHedgingPolicyJson = Config.GrpcHedgingPolicy.encode({ maxAttempts: 4, hedgingDelay: 500 })
 * assert.deepStrictEqual(json, { maxAttempts: 4, hedgingDelay: '0.5s' })
 *
 * @category model
 * @since 0.2.0
 */
export interface GrpcHedgingPolicyJson {
  readonly maxAttempts: number
  readonly hedgingDelay?: string | undefined
  readonly nonFatalStatusCodes?: ReadonlyArray<string | number> | undefined
}

/**
 * What a gRPC `hedgingPolicy` becomes: a schedule of the gaps between launches (its output is each
 * gap) and a classifier that tells whether a status code, by name (any case) or number, is non-fatal:
 * a failure that lets the other attempts go on.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const result = Config.decodeGrpcHedgingPolicy({ maxAttempts: 3, hedgingDelay: '0.5s', nonFatalStatusCodes: ['UNAVAILABLE'] })
 * if (E.isRight(result)) {
 *   const hedging: Config.GrpcHedging = result.right
 *   assert.strictEqual(hedging.isNonFatal('INTERNAL'), false)
 * }
 *
 * @category model
 * @since 0.2.0
 */
export interface GrpcHedging {
  readonly schedule: S.Schedule<unknown, number>
  readonly isNonFatal: (code: string | number) => boolean
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
 * Hostile input stays cheap: `problems` holds every problem, but `message` lists at most 100 of them
 * (then a line `and N more`), a quoted value is cut after 40 characters and a key in a path after 100.
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
// internal: reading policies
// -------------------------------------------------------------------------------------

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

// How the leaves of a policy are read. The codecs decode JSON (`fromJson`); their `is`, `toSchedule`
// and `fromGrpc...` check the decoded form (`decoded`: milliseconds, upper-case status code names).
// Every reader of a policy below is written once, over its leaves.
interface Leaves extends grpc.Leaves {
  readonly duration: Validator<number>
}

const fromJson: Leaves = {
  duration: durations.durationFromJson,
  backoff: durations.grpcDuration(durations.grpcDurationFromJson, 'above zero'),
  delay: durations.grpcDuration(durations.grpcDurationFromJson, 'zero allowed'),
  statusCode: grpc.statusCodeFromJson
}

const decoded: Leaves = {
  duration: durations.decodedDuration,
  backoff: durations.grpcDuration(durations.decodedDuration, 'above zero'),
  delay: durations.grpcDuration(durations.decodedDuration, 'zero allowed'),
  statusCode: grpc.decodedStatusCode
}

// the number rules are the constructors' own (internal/check.ts), reported as decode problems
const count = numberWhere(isCount, 'a whole number of 0 or more, such as 5')
const factor = numberWhere(isFactor, 'a finite growth factor of at least 1, such as 2 (1 keeps the delay constant)')
const multiplier = numberWhere(isMultiplier, 'a finite multiplier of the delay of 0 or more, such as 0.5')

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

const JITTER_KINDS = ['none', 'default', 'full', 'equal'] as const

const JITTER_EXPECTED = `"none", "default", "full", "equal", {"min": 0.5, "max": 1.5} or {"add": "100ms"}`

const isAddJitter = (jitter: Exclude<Jitter, string>): jitter is Extract<Jitter, { readonly add: unknown }> =>
  hasOwn(jitter, 'add')

const jitterReader = (duration: Validator<number>): Validator<Jitter> => {
  const add: Validator<number | readonly [number, number]> = guard((u, c) => {
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
  return guard((u, c) => {
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
        const message = `expected either {"min", "max"} (a factor range) or {"add"} (a duration), not both; given ${show(
          u
        )}`
        errors.push(problem(u, c, message))
      }
      return collect(errors, { add: readField(fields, 'add', add, c, errors) } as Jitter)
    }
    const min = readField(fields, 'min', multiplier, c, errors, 'a multiplier of the delay such as 0.5')
    const max = readField(fields, 'max', multiplier, c, errors, 'a multiplier of the delay such as 1.5')
    if (min !== undefined && max !== undefined && min > max) {
      errors.push(problem(u, c, `expected min <= max; given min ${show(min)} and max ${show(max)}`))
    }
    return collect(errors, { min, max } as Jitter)
  })
}

type Exponential = NonNullable<ScheduleConfig['exponential']>
type DecorrelatedJitter = NonNullable<ScheduleConfig['decorrelatedJitter']>

const exponentialReader = (duration: Validator<number>): Validator<Exponential> =>
  guard((u, c) => {
    const errors: t.Errors = []
    const hint = duration(u, c)._tag === 'Right' ? ` (write {"base": ${show(u)}})` : ''
    const expected = `an object such as {"base": "100ms", "factor": 2}${hint}`
    const fields = readObject(u, c, ['base', 'factor'], expected, errors)
    if (fields === undefined) {
      return t.failures(errors)
    }
    const base = readField(fields, 'base', duration, c, errors, 'a duration such as "100ms"') as number
    const growth = readField(fields, 'factor', factor, c, errors)
    return collect(errors, growth === undefined ? { base } : { base, factor: growth })
  })

const decorrelatedJitterReader = (duration: Validator<number>): Validator<DecorrelatedJitter> =>
  guard((u, c) => {
    const errors: t.Errors = []
    const fields = readObject(u, c, ['base', 'cap'], 'an object such as {"base": "100ms", "cap": "10s"}', errors)
    if (fields === undefined) {
      return t.failures(errors)
    }
    const base = readField(fields, 'base', duration, c, errors, 'a duration such as "100ms"')
    const cap = readField(fields, 'cap', duration, c, errors, 'a duration such as "10s"')
    if (base !== undefined && cap !== undefined && cap < base) {
      const context = t.appendContext(c, 'cap', t.unknown, fields.cap)
      errors.push(
        problem(fields.cap, context, `expected at least base (${show(fields.base)}); given ${show(fields.cap)}`)
      )
    }
    return collect(errors, { base: base as number, cap: cap as number })
  })

const scheduleConfigReader = ({ duration }: Leaves): Validator<ScheduleConfig> => {
  const exponential = exponentialReader(duration)
  const decorrelatedJitter = decorrelatedJitterReader(duration)
  const jitter = jitterReader(duration)
  const fromDelays: Validator<ReadonlyArray<number>> = guard((u, c) => {
    const errors: t.Errors = []
    const delays = readItems(u, c, duration, 'an array of durations such as ["100ms", "1s", "5s"]', errors)
    return collect(errors, delays as ReadonlyArray<number>)
  })
  const readers: { readonly [K in keyof ScheduleConfig]-?: Validator<ScheduleConfig[K]> } = {
    constant: duration,
    exponential,
    fibonacci: duration,
    linear: duration,
    decorrelatedJitter,
    fromDelays,
    jitter,
    minDelay: duration,
    cap: duration,
    maxRetries: count,
    maxElapsed: duration,
    maxCumulativeDelay: duration
  }
  return guard((u, c) => {
    const errors: t.Errors = []
    const expected = 'a schedule policy object such as {"exponential": {"base": "100ms"}, "maxRetries": 5}'
    const fields = readObject(u, c, SCHEDULE_KEYS, expected, errors)
    if (fields === undefined) {
      return t.failures(errors)
    }
    const config: Mutable<ScheduleConfig> = {}
    for (const key of SCHEDULE_KEYS) {
      const value = readField(fields, key, readers[key] as Validator<unknown>, c, errors)
      if (value !== undefined) {
        ;(config as Record<string, unknown>)[key] = value
      }
    }
    const bases = BASE_KEYS.filter((key) => key in fields)
    for (const key of bases.slice(1)) {
      const message = `conflicts with ${JSON.stringify(bases[0])}: give at most one base schedule (${BASE_KEYS.join(
        ', '
      )})`
      errors.push(problem(fields[key], t.appendContext(c, key, t.unknown, fields[key]), message))
    }
    if (hasOwn(config, 'minDelay') && hasOwn(config, 'cap') && (config.minDelay as number) > (config.cap as number)) {
      const message = `expected at least minDelay (${show(
        fields.minDelay
      )}), since cap is applied after it; given ${show(fields.cap)}`
      errors.push(problem(fields.cap, t.appendContext(c, 'cap', t.unknown, fields.cap), message))
    }
    return collect(errors, config)
  })
}

// -------------------------------------------------------------------------------------
// internal: writing policies back
// -------------------------------------------------------------------------------------

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

// -------------------------------------------------------------------------------------
// internal: the codecs, decoding JSON; `is` checks the decoded form
// -------------------------------------------------------------------------------------

const codec = <A, O>(
  name: string,
  read: (leaves: Leaves) => Validator<A>,
  encode: (a: A) => O
): { readonly type: t.Type<A, O, unknown>; readonly check: Validator<A> } => {
  const check = read(decoded)
  return {
    type: new t.Type(name, (u): u is A => check(u, [])._tag === 'Right', read(fromJson), encode),
    check
  }
}

const durationCodec = codec('Duration', (leaves) => guard(leaves.duration), encodeDuration)
const scheduleConfigCodec = codec('ScheduleConfig', scheduleConfigReader, encodeScheduleConfig)
const grpcRetryPolicyCodec = codec('GrpcRetryPolicy', grpc.retryPolicy, grpc.encodeRetryPolicy)
const grpcHedgingPolicyCodec = codec('GrpcHedgingPolicy', grpc.hedgingPolicy, grpc.encodeHedgingPolicy)

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

// a decoded value checked as the constructors check their arguments: a RangeError naming the function
const checked = <A>(fn: string, check: Validator<A>, value: A): A => {
  const result = check(value, [{ key: '', type: t.unknown, actual: value }])
  if (result._tag === 'Left') {
    throw new RangeError(`${fn}: invalid config: ${listProblems(toProblems(result.left).problems, '; ', '')}`)
  }
  return result.right
}

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
export const Duration: t.Type<number, DurationJson, unknown> = durationCodec.type

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
export const ScheduleConfig: t.Type<ScheduleConfig, ScheduleConfigJson, unknown> = scheduleConfigCodec.type

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
export const GrpcRetryPolicy: t.Type<GrpcRetryPolicy, GrpcRetryPolicyJson, unknown> = grpcRetryPolicyCodec.type

/**
 * A strict codec for gRPC's `hedgingPolicy`, as written in a gRPC service config: `maxAttempts`
 * (counting the first call, at least 2; above 5 counts as 5), `hedgingDelay` (a duration string of
 * 0 or more such as `"0.5s"`; optional, 0 when absent: every attempt at once) and
 * `nonFatalStatusCodes` (names in any case or numbers from 0 to 16; optional, none when absent).
 *
 * Like `GrpcRetryPolicy`, the delay must be a string (gRPC counts in seconds), unknown keys are
 * errors, and encoding writes the delay in seconds and codes as upper-case names. Absent keys stay
 * absent, so `encode(decode(json))` gives back `json` when its delay is written canonically.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * assert.deepStrictEqual(
 *   Config.GrpcHedgingPolicy.decode({ maxAttempts: 4, hedgingDelay: '.5s', nonFatalStatusCodes: ['unavailable', 13] }),
 *   E.right({ maxAttempts: 4, hedgingDelay: 500, nonFatalStatusCodes: ['UNAVAILABLE', 'INTERNAL'] })
 * )
 * assert.deepStrictEqual(Config.GrpcHedgingPolicy.decode({ maxAttempts: 2 }), E.right({ maxAttempts: 2 }))
 * assert.strictEqual(E.isLeft(Config.GrpcHedgingPolicy.decode({ maxAttempts: 3, hedgingDelay: 500 })), true)
 *
 * @category codecs
 * @since 0.2.0
 */
export const GrpcHedgingPolicy: t.Type<GrpcHedgingPolicy, GrpcHedgingPolicyJson, unknown> = grpcHedgingPolicyCodec.type

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Turns io-ts validation errors into a `ConfigError`: one problem per error, with its dotted path
 * and message; `message` lists them one per line, at most 100 of them (then `and N more`).
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
export const toConfigError = (errors: t.Errors): ConfigError => toProblems(errors)

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
  build(checked('Config.toSchedule', scheduleConfigCodec.check, config))

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
  bimap(ScheduleConfig.decode(u), toConfigError, build)

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
  grpc.retrySchedule(checked('Config.fromGrpcRetryPolicy', grpcRetryPolicyCodec.check, policy))

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
  bimap(GrpcRetryPolicy.decode(u), toConfigError, grpc.retrySchedule)

/**
 * Turns a decoded gRPC `hedgingPolicy` into the schedule `hedge` runs with and a status code
 * classifier: `min(maxAttempts, 5) - 1` launches after the first, `hedgingDelay` apart (all at once
 * without a delay).
 *
 * gRPC stops hedging and fails the call at the first failure whose status is not non-fatal; give the
 * schedule that rule with `whileInput` on your error type (the input is `undefined` while no attempt
 * has failed). Pass `isNonFatal` as the budget's `countsAsFailure` too: gRPC's throttling counts only
 * those failures. Throws a `RangeError` on an invalid policy (one not produced by decoding).
 *
 * @example
 * import { pipe } from 'fp-ts/function'
 * import * as S from 'schedule-ts/Schedule'
 * import * as Config from 'schedule-ts/Config'
 *
 * const { schedule, isNonFatal } = Config.fromGrpcHedgingPolicy({
 *   maxAttempts: 4,
 *   hedgingDelay: 500,
 *   nonFatalStatusCodes: ['UNAVAILABLE']
 * })
 * // attempts 2, 3 and 4 are launched 500 ms apart: at 500, 1000 and 1500 ms
 * assert.deepStrictEqual(pipe(schedule, S.simulate({ steps: 10 })).map((s) => s.delay), [500, 500, 500])
 *
 * interface GrpcError { readonly code: number }
 * const hedging = pipe(schedule, S.whileInput((e: GrpcError | undefined) => e === undefined || isNonFatal(e.code)))
 * // a fatal failure (NOT_FOUND) stops the launches
 * assert.strictEqual(pipe(hedging, S.simulate({ steps: 10, inputs: [undefined, { code: 5 }] })).length, 1)
 *
 * @category constructors
 * @since 0.2.0
 */
export const fromGrpcHedgingPolicy = (policy: GrpcHedgingPolicy): GrpcHedging =>
  grpc.hedgingSchedule(checked('Config.fromGrpcHedgingPolicy', grpcHedgingPolicyCodec.check, policy))

/**
 * Decodes a gRPC `hedgingPolicy` (any JSON value) straight into a schedule and a classifier, or every
 * problem found, never throwing.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import * as Config from 'schedule-ts/Config'
 *
 * const result = Config.decodeGrpcHedgingPolicy({ maxAttempts: 3, hedgingDelay: '-1s' })
 * assert.ok(E.isLeft(result) && result.left.problems[0].path === 'hedgingDelay')
 *
 * @category constructors
 * @since 0.2.0
 */
export const decodeGrpcHedgingPolicy = (u: unknown): Either<ConfigError, GrpcHedging> =>
  bimap(GrpcHedgingPolicy.decode(u), toConfigError, grpc.hedgingSchedule)
