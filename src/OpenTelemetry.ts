/**
 * Runs a `Schedule` over a `TaskEither` like `TaskEither.retry`, and reports every call and every
 * attempt to OpenTelemetry: a span for the call, a child span per attempt, a `retry` event before
 * each sleep, and three metrics.
 *
 * ```ts
 * const getUser = (id: string) => pipe(fetchUser(id), OpenTelemetry.retry('fetch user', policy))
 * ```
 *
 * `@opentelemetry/api` is an optional peer dependency used only by this entry: install it (any
 * `^1.9`) next to the SDK your application already runs. The tracer and the meter are the global
 * ones unless given; while no SDK is registered, a call is the plain `TaskEither.retry` run, after
 * looking up the global providers: no span is made.
 *
 * What is reported:
 *
 * - Span `name` (kind `INTERNAL`, a child of the active span) covers the whole call, with
 *   `schedule.name`, your `attributes`, and at its end `schedule.attempts`,
 *   `schedule.total_delay_ms` and `schedule.stopped_by` (`success`, `schedule`, `budget` or
 *   `interrupted`). A final `Left` sets status `ERROR` and `error.type`; a defect (a rejection)
 *   also records the exception.
 * - Span `${name} attempt N` per attempt, with `schedule.attempt` = N; each attempt runs with its
 *   span active, so the spans an instrumented client makes during the attempt nest under it. An
 *   attempt that fails has status `ERROR` and `error.type`.
 * - Event `retry` on the call span before each sleep, with `schedule.attempt` (the attempt that
 *   failed) and `schedule.delay_ms`.
 * - Counter `schedule.retries`, histogram `schedule.attempts` (one value per call, with
 *   `schedule.stopped_by`) and histogram `schedule.retry_delay` (seconds), each with `schedule.name`
 *   and your `attributes`.
 *
 * @since 0.2.0
 */
import {
  type Attributes,
  context,
  type Context,
  type Counter,
  createNoopMeter,
  type Exception,
  type Histogram,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  type Meter,
  type MeterProvider,
  metrics,
  ProxyTracerProvider,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  trace,
  type Tracer,
  type TracerProvider
} from '@opentelemetry/api'
import type { Either } from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { checkFunction } from './internal/check'
import { type Attempt, plan, prepare, retrying, type RunOptions } from './internal/driver'
import type { Schedule } from './Schedule'
import * as Retry from './TaskEither'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The options of `retry`: those of `TaskEither.retry` (`clock`, `random`, `signal`, `onRetry`,
 * `onGiveUp`, `budget`, `attemptTimeout`), plus where the telemetry goes.
 *
 * - `tracer`: the tracer of the spans (default: the global tracer provider's, looked up on each call,
 *   so an SDK registered after the policy was built is used).
 * - `meter`: the meter of the metrics (default: the global meter provider's, looked up the same way).
 * - `attributes`: added to the call span and to every metric: keep them few and of low cardinality
 *   (a service or endpoint name, never a user id), since each distinct set is a new time series.
 *
 * Your `onRetry` and `onGiveUp` still run, after the telemetry of the same moment is recorded.
 *
 * @example
 * import { trace } from '@opentelemetry/api'
 * import type { RetryOptions } from 'schedule-ts/OpenTelemetry'
 *
 * const options: RetryOptions<Error> = {
 *   tracer: trace.getTracer('billing'),
 *   attributes: { 'peer.service': 'payments' },
 *   onRetry: (e) => console.log(`attempt ${e.attempt} failed (${e.error.message}), retrying in ${e.delay} ms`)
 * }
 * assert.strictEqual(options.attributes?.['peer.service'], 'payments')
 *
 * @category model
 * @since 0.2.0
 */
export interface RetryOptions<In, Out = unknown> extends Retry.RetryOptions<In, Out> {
  readonly tracer?: Tracer | undefined
  readonly meter?: Meter | undefined
  readonly attributes?: Attributes | undefined
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const FN = 'OpenTelemetry.retry'

/** The instrumentation scope of the default tracer and meter. */
const SCOPE = 'schedule-ts'

type Result = Either<unknown, unknown>

type StoppedBy = 'success' | Retry.RetryStatus['stoppedBy'] | 'interrupted'

type Listener = (event: never) => unknown

interface Instruments {
  readonly retries: Counter
  readonly attempts: Histogram
  readonly retryDelay: Histogram
}

// histogram buckets for what these measure: a few attempts, and delays from milliseconds to minutes
const ATTEMPT_BOUNDARIES = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 100]
const DELAY_BOUNDARIES = [0, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

const NOOP_METER = createNoopMeter()

/** The metrics of a meter, or `undefined` for the no-op meter (nothing to record). */
const instrumentsOf = (meter: Meter): Instruments | undefined =>
  meter === NOOP_METER
    ? undefined
    : {
        retries: meter.createCounter('schedule.retries', {
          description: 'Retries decided by a schedule: one per failed attempt that is tried again.',
          unit: '{retry}'
        }),
        attempts: meter.createHistogram('schedule.attempts', {
          description: 'Attempts made by a call, the first one included.',
          unit: '{attempt}',
          advice: { explicitBucketBoundaries: ATTEMPT_BOUNDARIES }
        }),
        retryDelay: meter.createHistogram('schedule.retry_delay', {
          description: 'The delay before each retry.',
          unit: 's',
          advice: { explicitBucketBoundaries: DELAY_BOUNDARIES }
        })
      }

// the global providers, read on each call and cached while they stay the same
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate()
let tracerProvider: TracerProvider | undefined
let globalTracer: Tracer | undefined
let meterProvider: MeterProvider | undefined
let globalInstruments: Instruments | undefined

/** Whether the global tracer provider has an SDK behind it, as of the last `defaultTracer()`. */
let tracing = false

/** The global tracer (a proxy: it forwards to an SDK registered later). */
const defaultTracer = (): Tracer => {
  const provider = trace.getTracerProvider()
  if (provider !== tracerProvider) {
    tracerProvider = provider
    globalTracer = provider.getTracer(SCOPE)
  }
  const delegate = (provider as Partial<ProxyTracerProvider>).getDelegate
  tracing = typeof delegate !== 'function' || delegate.call(provider) !== NOOP_TRACER_PROVIDER
  return globalTracer as Tracer
}

const defaultInstruments = (): Instruments | undefined => {
  const provider = metrics.getMeterProvider()
  if (provider !== meterProvider) {
    meterProvider = provider
    globalInstruments = instrumentsOf(provider.getMeter(SCOPE))
  }
  return globalInstruments
}

const describe = (value: unknown): string =>
  typeof value === 'string'
    ? value === ''
      ? 'an empty string'
      : `string ${value}`
    : value === null
    ? 'null'
    : typeof value

const checkAttributes = (attributes: unknown): Attributes => {
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
    throw new TypeError(`${FN}: attributes must be an object of attribute values, got ${describe(attributes)}`)
  }
  const primitive = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
  for (const [key, value] of Object.entries(attributes)) {
    const valid =
      value === undefined ||
      primitive(value) ||
      (Array.isArray(value) && value.every((item: unknown) => item === null || item === undefined || primitive(item)))
    if (!valid) {
      throw new TypeError(
        `${FN}: attributes.${key} must be a string, number, boolean or an array of them, got ${describe(value)}`
      )
    }
  }
  return attributes as Attributes
}

const checkObject = <A>(arg: string, value: A, methods: ReadonlyArray<string>): A => {
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`${FN}: ${arg} must be an OpenTelemetry ${arg}, got ${describe(value)}`)
  }
  for (const method of methods) {
    checkFunction(FN, `${arg}.${method}`, (value as Record<string, unknown>)[method])
  }
  return value
}

/** Builds a `TaskEither` runner, reporting its validation errors under this module's name. */
// a TaskEither.retry whose checks of the schedule and options name OpenTelemetry.retry
const runnerOf = (
  schedule: Schedule<never, unknown>,
  options: Retry.RetryOptions<unknown, unknown>
): ((fa: TaskEither<unknown, unknown>) => TaskEither<unknown, unknown>) => {
  const resolved = plan(FN, retrying, schedule, options as RunOptions)
  return (fa) => prepare(resolved, fa as Attempt)
}

const errorType = (error: unknown): string => {
  if (typeof error === 'object' && error !== null) {
    const tag = (error as { readonly _tag?: unknown })._tag
    if (typeof tag === 'string') return tag
    if (error instanceof Error) return error.name
  }
  return '_OTHER'
}

const failed = (span: Span, error: unknown): void => {
  span.setAttribute('error.type', errorType(error))
  span.setStatus({ code: SpanStatusCode.ERROR })
}

const defect = (span: Span, cause: unknown): void => {
  const exception: Exception =
    typeof cause === 'object' && cause !== null
      ? (cause as Exception)
      : typeof cause === 'string'
      ? cause
      : String(cause)
  span.recordException(exception)
  span.setAttribute('error.type', errorType(cause))
  span.setStatus(
    cause instanceof Error ? { code: SpanStatusCode.ERROR, message: cause.message } : { code: SpanStatusCode.ERROR }
  )
}

const addSaturating = (a: number, b: number): number => Math.min(a + b, Number.MAX_SAFE_INTEGER)

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

/**
 * Retries a `TaskEither` like `TaskEither.retry`, and reports the call, each attempt, each retry and
 * the outcome to OpenTelemetry under `name` (see the module's description for every span, attribute
 * and metric).
 *
 * Use a `name` per operation and policy (`'fetch user'`), not per call: it names the spans and tags
 * the metrics, so a name made from a request's data would make a time series per request. The
 * outcome is the same as `TaskEither.retry`'s: the telemetry never changes a result, and a defect
 * still rejects after its span is ended.
 *
 * @example
 * import * as E from 'fp-ts/Either'
 * import { pipe } from 'fp-ts/function'
 * import * as TE from 'fp-ts/TaskEither'
 * import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
 * import * as OpenTelemetry from 'schedule-ts/OpenTelemetry'
 * import * as S from 'schedule-ts/Schedule'
 *
 * const exporter = new InMemorySpanExporter()
 * const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('example')
 *
 * let calls = 0
 * const flaky: TE.TaskEither<string, string> = () => Promise.resolve(++calls < 3 ? E.left('503') : E.right('ok'))
 * void pipe(flaky, OpenTelemetry.retry('fetch user', S.recurs(3), { tracer }))().then((r) => {
 *   assert.deepStrictEqual(r, E.right('ok'))
 *   const spans = exporter.getFinishedSpans()
 *   assert.deepStrictEqual(spans.map((s) => s.name), ['fetch user attempt 1', 'fetch user attempt 2', 'fetch user attempt 3', 'fetch user'])
 *   assert.deepStrictEqual(spans[3].attributes['schedule.stopped_by'], 'success')
 *   assert.deepStrictEqual(spans[3].events.map((e) => e.name), ['retry', 'retry'])
 * })
 *
 * @category running
 * @since 0.2.0
 */
export const retry: {
  <In, Out, O extends RetryOptions<never, never> & Retry.NoTimeout = {}>(
    name: string,
    schedule: Schedule<In, Out>,
    options?: O & RetryOptions<In, Out>
  ): <E extends In, A>(fa: TaskEither<E, A>) => TaskEither<Retry.RetryError<E, O>, A>
  <In, Out, O extends RetryOptions<never, never>>(
    name: string,
    schedule: Schedule<In | Retry.AttemptTimeout, Out>,
    options: O & RetryOptions<In | Retry.AttemptTimeout, Out>
  ): <E extends In, A>(fa: TaskEither<E, A>) => TaskEither<Retry.RetryError<E, O>, A>
} = (name: string, schedule: Schedule<never, unknown>, options?: RetryOptions<never, never>) => {
  if (typeof name !== 'string') {
    throw new TypeError(`${FN}: name must be a non-empty string, got ${describe(name)}`)
  }
  if (name === '') {
    throw new RangeError(`${FN}: name must be a non-empty string, got an empty string`)
  }
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${FN}: options must be an object, got ${describe(options)}`)
  }
  const { tracer: ownTracer, meter, attributes: ownAttributes, ...retryOptions } = options ?? {}
  if (ownTracer !== undefined) checkObject('tracer', ownTracer, ['startSpan'])
  if (meter !== undefined) checkObject('meter', meter, ['createCounter', 'createHistogram'])
  const attributes = ownAttributes === undefined ? {} : checkAttributes(ownAttributes)
  const userOnRetry = retryOptions.onRetry as Listener | undefined
  const userOnGiveUp = retryOptions.onGiveUp as Listener | undefined
  // checks the schedule and the options of TaskEither.retry, once; runs the calls no one observes
  const untraced = runnerOf(schedule, retryOptions as Retry.RetryOptions<unknown, unknown>)
  const ownInstruments = meter === undefined ? undefined : instrumentsOf(meter)

  const callOptions: SpanOptions = { kind: SpanKind.INTERNAL, attributes: { ...attributes, 'schedule.name': name } }
  const metricAttributes: Attributes = { ...attributes, 'schedule.name': name }
  const byOutcome = new Map<StoppedBy, Attributes>()
  const outcomeAttributes = (stoppedBy: StoppedBy | undefined): Attributes => {
    if (stoppedBy === undefined) return metricAttributes
    let found = byOutcome.get(stoppedBy)
    if (found === undefined)
      byOutcome.set(stoppedBy, (found = { ...metricAttributes, 'schedule.stopped_by': stoppedBy }))
    return found
  }

  const traced = (
    fa: TaskEither<unknown, unknown>,
    tracer: Tracer,
    instruments: Instruments | undefined,
    parent: Context,
    span: Span
  ): Promise<Result> => {
    const callContext = trace.setSpan(parent, span)
    let attempts = 0
    let totalDelay = 0
    let announcedDelay = 0
    let stoppedBy: StoppedBy | undefined
    // ends the span of the attempt in flight, if it is still open
    let closeAttempt: ((result: Result) => void) | undefined

    const attempt: TaskEither<unknown, unknown> = () => {
      // a delay counts once the attempt it led to starts, as in the run's own status
      totalDelay = addSaturating(totalDelay, announcedDelay)
      announcedDelay = 0
      const n = ++attempts
      const attemptSpan = tracer.startSpan(
        `${name} attempt ${n}`,
        { attributes: { 'schedule.attempt': n } },
        callContext
      )
      let open = true
      const settle = (record: (span: Span) => void): void => {
        if (!open) return
        open = false
        closeAttempt = undefined
        record(attemptSpan)
        attemptSpan.end()
      }
      const close = (result: Result): void =>
        settle((attemptSpan) => {
          if (result._tag === 'Left') failed(attemptSpan, result.left)
        })
      const closeWithDefect = (cause: unknown): void => settle((attemptSpan) => defect(attemptSpan, cause))
      closeAttempt = close
      let running: Promise<Result>
      try {
        running = context.with(trace.setSpan(callContext, attemptSpan), fa)
        if (typeof (running as Partial<Promise<Result>> | null)?.then !== 'function') {
          throw new TypeError(`${FN}: fa must return a Promise (it is a TaskEither), got ${describe(running)}`)
        }
      } catch (cause) {
        closeWithDefect(cause)
        throw cause
      }
      return running.then(
        (result) => {
          close(result)
          return result
        },
        (cause: unknown) => {
          closeWithDefect(cause)
          throw cause
        }
      )
    }

    const onRetry = (event: Retry.RetryEvent<unknown>): unknown => {
      // the driver moved on without the attempt's result (it timed out): its span ends here
      closeAttempt?.({ _tag: 'Left', left: event.error })
      announcedDelay = event.delay
      span.addEvent('retry', { 'schedule.attempt': event.attempt, 'schedule.delay_ms': event.delay })
      if (instruments !== undefined) {
        instruments.retries.add(1, metricAttributes)
        instruments.retryDelay.record(event.delay / 1000, metricAttributes)
      }
      return userOnRetry === undefined ? undefined : userOnRetry(event as never)
    }

    const onGiveUp = (event: Retry.GiveUpEvent<unknown>): unknown => {
      closeAttempt?.({ _tag: 'Left', left: event.error })
      stoppedBy = event.stoppedBy
      return userOnGiveUp === undefined ? undefined : userOnGiveUp(event as never)
    }

    const end = (outcome: StoppedBy | undefined): void => {
      span.setAttribute('schedule.attempts', attempts)
      span.setAttribute('schedule.total_delay_ms', totalDelay)
      if (outcome !== undefined) span.setAttribute('schedule.stopped_by', outcome)
      span.end()
      instruments?.attempts.record(attempts, outcomeAttributes(outcome))
    }

    let run: Promise<Result>
    try {
      const observed = runnerOf(schedule, { ...retryOptions, onRetry, onGiveUp } as Retry.RetryOptions<
        unknown,
        unknown
      >)
      // the run's own work (listeners included) sees the call span as the active one
      run = context.with(callContext, observed(attempt))
    } catch (cause) {
      run = Promise.reject(cause)
    }
    return run.then(
      (result) => {
        const outcome: StoppedBy = stoppedBy ?? (result._tag === 'Right' ? 'success' : 'interrupted')
        closeAttempt?.(result)
        if (result._tag === 'Left') failed(span, result.left)
        end(outcome)
        return result
      },
      (cause: unknown) => {
        defect(span, cause)
        end(undefined)
        throw cause
      }
    )
  }

  return (fa: TaskEither<unknown, unknown>) => {
    checkFunction(FN, 'fa', fa)
    const plain = untraced(fa)
    return (): Promise<never> => {
      try {
        const tracer = ownTracer ?? defaultTracer()
        const instruments = meter === undefined ? defaultInstruments() : ownInstruments
        // no SDK at all: the run is the plain one, with the user's listeners only
        if (instruments === undefined && ownTracer === undefined && !tracing) {
          return plain() as Promise<never>
        }
        const parent = context.active()
        const span = tracer.startSpan(name, callOptions, parent)
        // a span that is not recorded and has no trace to pass on, and no metrics: nothing to report
        if (instruments === undefined && !span.isRecording()) {
          const spanContext = span.spanContext()
          if (spanContext === INVALID_SPAN_CONTEXT || !isSpanContextValid(spanContext)) return plain() as Promise<never>
        }
        return traced(fa, tracer, instruments, parent, span) as Promise<never>
      } catch (cause) {
        return Promise.reject(cause)
      }
    }
  }
}
