import * as fs from 'node:fs'
import * as path from 'node:path'
import { context, metrics, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api'
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks'
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor
} from '@opentelemetry/sdk-trace-base'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import type * as TE from 'fp-ts/TaskEither'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import * as Budget from '../src/Budget'
import * as OpenTelemetry from '../src/OpenTelemetry'
import * as S from '../src/Schedule'
import * as Retry from '../src/TaskEither'
import * as TestClock from '../src/TestClock'
import { renderTrace, traceSpans } from '../scripts/plots/trace'
import { abortListeners, failing, nextTurn, watchTimers } from './helpers'

// -------------------------------------------------------------------------------------
// the SDK, registered globally per test and removed after it
// -------------------------------------------------------------------------------------

/** A metric reader that only answers `collect()`: no timer, unlike the periodic one. */
class InMemoryMetricReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/** Counts the spans started and not yet ended, so a test can tell that none was left open. */
const openSpans = () => {
  const open = new Set<unknown>()
  const processor: SpanProcessor = {
    onStart: (span) => void open.add(span),
    onEnd: (span) => void open.delete(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve()
  }
  return { processor, open }
}

interface Sdk {
  readonly exporter: InMemorySpanExporter
  readonly tracerProvider: BasicTracerProvider
  readonly reader: InMemoryMetricReader
  readonly meterProvider: MeterProvider
  readonly open: Set<unknown>
}

let sdks: Array<Sdk> = []

/** A tracer provider with an in-memory exporter and a meter provider with an in-memory reader. */
const makeSdk = (options: { readonly sampled?: boolean } = {}): Sdk => {
  const exporter = new InMemorySpanExporter()
  const { processor, open } = openSpans()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter), processor],
    ...(options.sampled === false ? { sampler: new AlwaysOffSampler() } : {})
  })
  const reader = new InMemoryMetricReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  const sdk = { exporter, tracerProvider, reader, meterProvider, open }
  sdks.push(sdk)
  return sdk
}

/** Registers an SDK as the global one, with the async-hooks context manager. */
const register = (options: { readonly traces?: boolean; readonly metrics?: boolean; sampled?: boolean } = {}) => {
  const sdk = makeSdk(options)
  context.setGlobalContextManager(new AsyncHooksContextManager().enable())
  if (options.traces !== false) trace.setGlobalTracerProvider(sdk.tracerProvider)
  if (options.metrics !== false) metrics.setGlobalMeterProvider(sdk.meterProvider)
  return sdk
}

// the timers each test sets (the runner's, the SDK's): every one fires or is cleared by the end of the test
let timers: ReturnType<typeof watchTimers>
beforeEach(() => {
  timers = watchTimers()
})

afterEach(async () => {
  trace.disable()
  context.disable()
  metrics.disable()
  for (const sdk of sdks) {
    // no span is left open by any code path
    expect(sdk.open.size).toBe(0)
    // the in-memory exporter answers each export on a zero timer: let those fire
    await sdk.tracerProvider.forceFlush()
    await sdk.tracerProvider.shutdown()
    await sdk.meterProvider.shutdown()
  }
  sdks = []
  await nextTurn()
  const pending = timers.pending.size
  vi.restoreAllMocks()
  expect(pending).toBe(0)
})

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const spansOf = (sdk: Sdk): ReadonlyArray<ReadableSpan> => sdk.exporter.getFinishedSpans()

const named = (sdk: Sdk, name: string): ReadableSpan => {
  const found = spansOf(sdk).filter((s) => s.name === name)
  expect(found, name).toHaveLength(1)
  return found[0]
}

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId

const idOf = (span: ReadableSpan): string => span.spanContext().spanId

/** The metrics of the schedule-ts scope, by name. */
const collect = async (sdk: Sdk) => {
  const { resourceMetrics, errors } = await sdk.reader.collect()
  expect(errors).toEqual([])
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === 'schedule-ts')
  const byName = new Map((scope?.metrics ?? []).map((m) => [m.descriptor.name, m]))
  const points = <T>(name: string): ReadonlyArray<DataPoint<T>> =>
    (byName.get(name)?.dataPoints ?? []) as unknown as ReadonlyArray<DataPoint<T>>
  return {
    descriptor: (name: string) => byName.get(name)?.descriptor,
    counter: (name: string) => points<number>(name).map((p) => ({ attributes: p.attributes, value: p.value })),
    histogram: (name: string) =>
      points<Histogram>(name).map((p) => ({ attributes: p.attributes, count: p.value.count, sum: p.value.sum }))
  }
}

// -------------------------------------------------------------------------------------
// spans
// -------------------------------------------------------------------------------------

describe('spans', () => {
  it('a call span under the active span, an attempt span per attempt, and a client span under its attempt', async () => {
    const sdk = register()
    const clock = TestClock.make()
    const tracer = trace.getTracer('test')
    const clientParents: Array<string | undefined> = []
    let calls = 0
    // an "instrumented client": it starts its span in the active context, after an await
    const fetchUser: TE.TaskEither<string, string> = async () => {
      await clock.sleep(10)
      const span = tracer.startSpan(`GET /users (${++calls})`)
      clientParents.push(trace.getSpan(context.active())?.spanContext().spanId)
      await Promise.resolve()
      span.end()
      return calls < 3 ? E.left('503') : E.right('user')
    }
    const outer = tracer.startSpan('request')
    const result = context.with(trace.setSpan(context.active(), outer), () =>
      pipe(fetchUser, OpenTelemetry.retry('fetch user', S.exponential(100), { clock }))()
    )
    await clock.runAll()
    expect(await result).toEqual(E.right('user'))
    outer.end()

    const call = named(sdk, 'fetch user')
    const attempts = [1, 2, 3].map((n) => named(sdk, `fetch user attempt ${n}`))
    const clients = [1, 2, 3].map((n) => named(sdk, `GET /users (${n})`))
    expect(call.kind).toBe(SpanKind.INTERNAL)
    expect(parentOf(call)).toBe(idOf(named(sdk, 'request')))
    expect(attempts.map(parentOf)).toEqual([idOf(call), idOf(call), idOf(call)])
    expect(clients.map(parentOf)).toEqual(attempts.map(idOf))
    expect(clientParents).toEqual(attempts.map(idOf))
    expect(new Set(spansOf(sdk).map((s) => s.spanContext().traceId)).size).toBe(1)
    expect(spansOf(sdk)).toHaveLength(1 + 1 + 3 + 3)
  })

  it('attributes: schedule.attempt on attempts; name, attributes, attempts, total delay, stopped_by on the call', async () => {
    const sdk = register()
    const clock = TestClock.make()
    const { fa } = failing([{ _tag: 'Unavailable' }, new TypeError('socket hang up')], 'ok')
    const result = pipe(
      fa,
      OpenTelemetry.retry('fetch user', S.exponential(100), { clock, attributes: { 'peer.service': 'users' } })
    )()
    await clock.runAll()
    expect(await result).toEqual(E.right('ok'))
    expect(named(sdk, 'fetch user').attributes).toEqual({
      'schedule.name': 'fetch user',
      'peer.service': 'users',
      'schedule.attempts': 3,
      'schedule.total_delay_ms': 300,
      'schedule.stopped_by': 'success'
    })
    expect(named(sdk, 'fetch user').status).toEqual({ code: SpanStatusCode.UNSET })
    const attempts = [1, 2, 3].map((n) => named(sdk, `fetch user attempt ${n}`))
    expect(attempts.map((s) => s.attributes)).toEqual([
      { 'schedule.attempt': 1, 'error.type': 'Unavailable' },
      { 'schedule.attempt': 2, 'error.type': 'TypeError' },
      { 'schedule.attempt': 3 }
    ])
    expect(attempts.map((s) => s.status.code)).toEqual([
      SpanStatusCode.ERROR,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET
    ])
  })

  it('a retry event before each sleep, with the attempt that failed and the delay', async () => {
    const sdk = register()
    const clock = TestClock.make()
    const { fa } = failing(['a', 'b', 'c'], 'ok')
    const result = pipe(fa, OpenTelemetry.retry('op', pipe(S.exponential(100), S.jittered), { clock }))()
    await clock.runAll()
    expect(await result).toEqual(E.right('ok'))
    const events = named(sdk, 'op').events
    expect(events.map((e) => e.name)).toEqual(['retry', 'retry', 'retry'])
    expect(events.map((e) => e.attributes)).toEqual(
      clock.sleeps.map((delay, i) => ({ 'schedule.attempt': i + 1, 'schedule.delay_ms': delay }))
    )
    expect(named(sdk, 'op').attributes['schedule.total_delay_ms']).toBe(clock.sleeps.reduce((a, b) => a + b, 0))
  })

  it('a final Left after the schedule gives up: status ERROR, error.type, stopped_by schedule', async () => {
    const sdk = register()
    const clock = TestClock.make()
    const { fa, calls } = failing([new RangeError('a'), new RangeError('b'), new RangeError('c')], 'never')
    const result = pipe(fa, OpenTelemetry.retry('op', pipe(S.constant(50), S.maxRetries(2)), { clock }))()
    await clock.runAll()
    expect(await result).toEqual(E.left(new RangeError('c')))
    expect(calls()).toBe(3)
    const call = named(sdk, 'op')
    expect(call.status).toEqual({ code: SpanStatusCode.ERROR })
    expect(call.attributes).toMatchObject({
      'schedule.attempts': 3,
      'schedule.total_delay_ms': 100,
      'schedule.stopped_by': 'schedule',
      'error.type': 'RangeError'
    })
    expect(call.events.filter((e) => e.name === 'exception')).toEqual([])
  })

  it('an error that is neither tagged nor an Error has error.type _OTHER', async () => {
    const sdk = register()
    expect(await pipe(failing([503], 'x').fa, OpenTelemetry.retry('op', S.stop))()).toEqual(E.left(503))
    expect(named(sdk, 'op').attributes['error.type']).toBe('_OTHER')
    expect(named(sdk, 'op attempt 1').attributes['error.type']).toBe('_OTHER')
  })

  it('a budget that denies a retry: stopped_by budget', async () => {
    const sdk = register()
    const budget = Budget.tokenBucket({ maxTokens: 2, tokenRatio: 0.1 })
    const { fa, calls } = failing(['503', '503', '503'], 'ok')
    expect(await pipe(fa, OpenTelemetry.retry('op', S.recurs(5), { budget }))()).toEqual(E.left('503'))
    expect(calls()).toBe(1)
    expect(named(sdk, 'op').attributes).toMatchObject({ 'schedule.attempts': 1, 'schedule.stopped_by': 'budget' })
    expect(named(sdk, 'op').status.code).toBe(SpanStatusCode.ERROR)
    expect(budget.stats().denied).toBe(1)
  })

  it('concurrent calls of one policy each get their own spans and counts', async () => {
    const sdk = register()
    const clock = TestClock.make()
    const policy = OpenTelemetry.retry('op', S.constant(10), { clock })
    const a = failing(['x'], 'a')
    const b = failing(['x', 'x', 'x'], 'b')
    const runs = Promise.all([pipe(a.fa, policy)(), pipe(b.fa, policy)()])
    await clock.runAll()
    expect(await runs).toEqual([E.right('a'), E.right('b')])
    const calls = spansOf(sdk).filter((s) => s.name === 'op')
    expect(calls.map((s) => s.attributes['schedule.attempts']).sort()).toEqual([2, 4])
    for (const call of calls) {
      const children = spansOf(sdk).filter((s) => parentOf(s) === idOf(call))
      expect(children).toHaveLength(call.attributes['schedule.attempts'] as number)
      expect(call.events).toHaveLength(children.length - 1)
    }
  })

  it('the user listeners still run, with the events plain retry gives them, after the span event', async () => {
    const sdk = register()
    type Seen = readonly [kind: string, event: object, eventsOnTheActiveSpan: number | undefined]
    const seen: Array<Seen> = []
    // the SDK's live span is readable: how many events it holds when the listener runs
    const eventsSoFar = () => (trace.getSpan(context.active()) as unknown as ReadableSpan | undefined)?.events.length
    const options = {
      onRetry: (e: Retry.RetryEvent<string>) => void seen.push(['retry', e, eventsSoFar()]),
      onGiveUp: (e: Retry.GiveUpEvent<string>) => void seen.push(['giveUp', e, eventsSoFar()])
    }
    const traced = await pipe(failing(['a', 'b'], 'x').fa, OpenTelemetry.retry('op', S.recurs(1), options))()
    const tracedEvents = seen.splice(0)
    const plain = await pipe(failing(['a', 'b'], 'x').fa, Retry.retry(S.recurs(1), options))()
    expect(traced).toEqual(plain)
    const comparable = (events: ReadonlyArray<Seen>) => events.map(([kind, e]) => [kind, { ...e, elapsed: 0 }])
    expect(comparable(tracedEvents)).toEqual(comparable(seen))
    expect(tracedEvents.map(([kind, , n]) => [kind, n])).toEqual([
      ['retry', 1],
      ['giveUp', 1]
    ])
    expect(named(sdk, 'op').events).toHaveLength(1)
  })

  it('the listeners see the call span as the active span', async () => {
    const sdk = register()
    const active: Array<string | undefined> = []
    const record = () => void active.push(trace.getSpan(context.active())?.spanContext().spanId)
    await pipe(
      failing(['a', 'b'], 'x').fa,
      OpenTelemetry.retry('op', S.recurs(1), { onRetry: record, onGiveUp: record })
    )()
    expect(active).toEqual([idOf(named(sdk, 'op')), idOf(named(sdk, 'op'))])
  })
})

// -------------------------------------------------------------------------------------
// defects, aborts and timeouts
// -------------------------------------------------------------------------------------

describe('defects, aborts and timeouts', () => {
  it('a rejection is recorded on the attempt and the call spans, and the call still rejects with it', async () => {
    const sdk = register()
    const bug = new Error('bug')
    let calls = 0
    const fa: TE.TaskEither<string, string> = () =>
      ++calls === 1 ? Promise.resolve(E.left('503')) : Promise.reject(bug)
    await expect(pipe(fa, OpenTelemetry.retry('op', S.recurs(3)))()).rejects.toBe(bug)
    expect(calls).toBe(2)
    for (const span of [named(sdk, 'op'), named(sdk, 'op attempt 2')]) {
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bug' })
      expect(span.attributes['error.type']).toBe('Error')
      const exception = span.events.find((e) => e.name === 'exception')
      expect(exception?.attributes).toMatchObject({ 'exception.message': 'bug', 'exception.type': 'Error' })
    }
    expect(named(sdk, 'op').attributes).toMatchObject({ 'schedule.attempts': 2 })
    expect(named(sdk, 'op').attributes['schedule.stopped_by']).toBeUndefined()
  })

  it('a TaskEither that throws, or returns no promise, is a defect too: a rejection, never a throw', async () => {
    const sdk = register()
    const thrown = new Error('thrown')
    const throwing = (() => {
      throw thrown
    }) as TE.TaskEither<string, string>
    const run = pipe(throwing, OpenTelemetry.retry('throws', S.recurs(3)))
    let promise: Promise<unknown> | undefined
    expect(() => (promise = run())).not.toThrow()
    await expect(promise).rejects.toBe(thrown)
    expect(named(sdk, 'throws attempt 1').status.code).toBe(SpanStatusCode.ERROR)

    const notAPromise = (() => 42) as unknown as TE.TaskEither<string, string>
    await expect(pipe(notAPromise, OpenTelemetry.retry('no promise', S.recurs(3)))()).rejects.toThrow(
      /OpenTelemetry.retry: fa must return a Promise/
    )
    expect(named(sdk, 'no promise').status.code).toBe(SpanStatusCode.ERROR)
  })

  it('a defect that is not an Error (a string, a number, an object) is recorded as well', async () => {
    const sdk = register()
    for (const [name, cause] of [
      ['string', 'oops'],
      ['number', 42],
      ['object', { message: 'plain object' }]
    ] as const) {
      const fa = (() => Promise.reject(cause)) as TE.TaskEither<string, string>
      await expect(pipe(fa, OpenTelemetry.retry(name, S.recurs(1)))()).rejects.toBe(cause)
      const span = named(sdk, name)
      expect(span.status.code).toBe(SpanStatusCode.ERROR)
      expect(span.events.map((e) => e.name)).toEqual(['exception'])
      expect(span.attributes['error.type']).toBe('_OTHER')
    }
  })

  it('a listener that throws makes the call reject, and the call span records it', async () => {
    const sdk = register()
    const bug = new Error('listener bug')
    const onRetry = () => {
      throw bug
    }
    await expect(pipe(failing(['a'], 'x').fa, OpenTelemetry.retry('op', S.recurs(3), { onRetry }))()).rejects.toBe(bug)
    expect(named(sdk, 'op').status).toEqual({ code: SpanStatusCode.ERROR, message: 'listener bug' })
    expect(named(sdk, 'op').events.map((e) => e.name)).toEqual(['retry', 'exception'])
  })

  it('a tracer that throws makes the call reject, not throw', async () => {
    const bug = new Error('tracer bug')
    const tracer = {
      startSpan: () => {
        throw bug
      },
      startActiveSpan: () => {
        throw bug
      }
    } as unknown as Tracer
    const run = pipe(failing([], 'x').fa, OpenTelemetry.retry('op', S.recurs(1), { tracer }))
    let promise: Promise<unknown> | undefined
    expect(() => (promise = run())).not.toThrow()
    await expect(promise).rejects.toBe(bug)
  })

  it('an abort during a sleep: interrupted, status ERROR, the delay not slept not counted, no listener left', async () => {
    const sdk = register()
    const clock = TestClock.make()
    const controller = new AbortController()
    const { fa, calls } = failing(['503', '503'], 'ok')
    const result = pipe(fa, OpenTelemetry.retry('op', S.constant(1000), { clock, signal: controller.signal }))()
    await clock.adjust(500)
    controller.abort()
    expect(await result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.some('503') }))
    expect(calls()).toBe(1)
    expect(named(sdk, 'op').attributes).toMatchObject({
      'schedule.attempts': 1,
      'schedule.total_delay_ms': 0,
      'schedule.stopped_by': 'interrupted',
      'error.type': 'Interrupted'
    })
    expect(named(sdk, 'op').status.code).toBe(SpanStatusCode.ERROR)
    expect(named(sdk, 'op').events.map((e) => e.attributes)).toEqual([
      { 'schedule.attempt': 1, 'schedule.delay_ms': 1000 }
    ])
    expect(abortListeners(controller.signal)).toBe(0)
  })

  it('a signal aborted before the call: no attempt, an interrupted call span', async () => {
    const sdk = register()
    const controller = new AbortController()
    controller.abort()
    const { fa, calls } = failing([], 'ok')
    const result = await pipe(fa, OpenTelemetry.retry('op', S.recurs(3), { signal: controller.signal }))()
    expect(result).toEqual(E.left({ _tag: 'Interrupted', lastError: O.none }))
    expect(calls()).toBe(0)
    expect(spansOf(sdk).map((s) => s.name)).toEqual(['op'])
    expect(named(sdk, 'op').attributes).toMatchObject({ 'schedule.attempts': 0, 'schedule.stopped_by': 'interrupted' })
  })

  it('an attempt that times out: its span ends when the run moves on, with error.type AttemptTimeout', async () => {
    const sdk = register()
    const clock = TestClock.make()
    let calls = 0
    const fa: TE.TaskEither<string, string> = () =>
      ++calls === 1 ? new Promise<never>(() => undefined) : Promise.resolve(E.right('ok'))
    const result = pipe(fa, OpenTelemetry.retry('op', S.constant(10), { clock, attemptTimeout: 100 }))()
    await clock.runAll()
    expect(await result).toEqual(E.right('ok'))
    expect(named(sdk, 'op attempt 1').attributes).toEqual({ 'schedule.attempt': 1, 'error.type': 'AttemptTimeout' })
    expect(named(sdk, 'op attempt 1').status.code).toBe(SpanStatusCode.ERROR)
    expect(named(sdk, 'op').attributes).toMatchObject({ 'schedule.attempts': 2, 'schedule.stopped_by': 'success' })
  })

  it('a defect that comes after its attempt timed out is ignored, as plain retry ignores it', async () => {
    const sdk = register()
    const clock = TestClock.make()
    const fa: TE.TaskEither<string, string> = () => clock.sleep(500).then(() => Promise.reject(new Error('late bug')))
    const result = pipe(fa, OpenTelemetry.retry('op', S.stop, { clock, attemptTimeout: 100 }))()
    await clock.runAll()
    expect(await result).toEqual(E.left({ _tag: 'AttemptTimeout', attempt: 1, timeout: 100 }))
    expect(named(sdk, 'op attempt 1').events).toEqual([])
    expect(named(sdk, 'op attempt 1').attributes['error.type']).toBe('AttemptTimeout')
  })

  it('a budget whose onRequest throws: the call rejects, and its span records it', async () => {
    const sdk = register()
    const bug = new Error('budget bug')
    const budget = {
      onRequest: () => {
        throw bug
      },
      onSuccess: () => undefined,
      onFailure: () => undefined,
      tryRetry: () => true
    }
    const run = pipe(failing([], 'x').fa, OpenTelemetry.retry('op', S.recurs(1), { budget }))
    let promise: Promise<unknown> | undefined
    expect(() => (promise = run())).not.toThrow()
    await expect(promise).rejects.toBe(bug)
    expect(named(sdk, 'op').status).toEqual({ code: SpanStatusCode.ERROR, message: 'budget bug' })
  })

  it('the last attempt times out: its span ends when the run gives up, and its late result is ignored', async () => {
    const sdk = register()
    const clock = TestClock.make()
    const fa: TE.TaskEither<string, string> = () => clock.sleep(500).then(() => E.left('late'))
    const result = pipe(fa, OpenTelemetry.retry('op', S.stop, { clock, attemptTimeout: 100 }))()
    await clock.adjust(100)
    expect(await result).toEqual(E.left({ _tag: 'AttemptTimeout', attempt: 1, timeout: 100 }))
    expect(named(sdk, 'op attempt 1').attributes['error.type']).toBe('AttemptTimeout')
    expect(named(sdk, 'op').attributes).toMatchObject({
      'schedule.stopped_by': 'schedule',
      'error.type': 'AttemptTimeout'
    })
    await clock.runAll()
    expect(spansOf(sdk)).toHaveLength(2)
  })
})

// -------------------------------------------------------------------------------------
// metrics
// -------------------------------------------------------------------------------------

describe('metrics', () => {
  it('schedule.retries, schedule.attempts and schedule.retry_delay, tagged with the name and the attributes', async () => {
    const sdk = register()
    const clock = TestClock.make()
    const policy = OpenTelemetry.retry('fetch user', pipe(S.exponential(100), S.maxRetries(2)), {
      clock,
      attributes: { 'peer.service': 'users' }
    })
    const runs = Promise.all([
      pipe(failing([], 'a').fa, policy)(),
      pipe(failing(['x'], 'b').fa, policy)(),
      pipe(failing(['x', 'x', 'x'], 'c').fa, policy)()
    ])
    await clock.runAll()
    expect((await runs).map(E.isRight)).toEqual([true, true, false])
    const m = await collect(sdk)
    const base = { 'schedule.name': 'fetch user', 'peer.service': 'users' }
    expect(m.counter('schedule.retries')).toEqual([{ attributes: base, value: 3 }])
    expect(m.histogram('schedule.retry_delay')).toEqual([{ attributes: base, count: 3, sum: 0.1 + 0.1 + 0.2 }])
    expect(m.histogram('schedule.attempts')).toEqual([
      { attributes: { ...base, 'schedule.stopped_by': 'success' }, count: 2, sum: 3 },
      { attributes: { ...base, 'schedule.stopped_by': 'schedule' }, count: 1, sum: 3 }
    ])
    expect(m.descriptor('schedule.retry_delay')?.unit).toBe('s')
    expect(m.descriptor('schedule.retries')?.unit).toBe('{retry}')
    expect(m.descriptor('schedule.attempts')?.unit).toBe('{attempt}')
  })

  it('metrics without a tracer provider: recorded, and attempts run as usual', async () => {
    const sdk = register({ traces: false })
    const { fa } = failing(['x'], 'ok')
    expect(await pipe(fa, OpenTelemetry.retry('op', S.recurs(1)))()).toEqual(E.right('ok'))
    const m = await collect(sdk)
    expect(m.counter('schedule.retries')).toEqual([{ attributes: { 'schedule.name': 'op' }, value: 1 }])
    expect(spansOf(sdk)).toEqual([])
  })

  it('a defect is counted in schedule.attempts without stopped_by', async () => {
    const sdk = register()
    const fa = (() => Promise.reject(new Error('bug'))) as TE.TaskEither<string, string>
    await expect(pipe(fa, OpenTelemetry.retry('op', S.recurs(1)))()).rejects.toThrow('bug')
    const m = await collect(sdk)
    expect(m.histogram('schedule.attempts')).toEqual([{ attributes: { 'schedule.name': 'op' }, count: 1, sum: 1 }])
  })
})

// -------------------------------------------------------------------------------------
// providers: none, late, explicit, sampled out
// -------------------------------------------------------------------------------------

describe('providers', () => {
  it('with no SDK registered: the same result, the listeners run, nothing fails', async () => {
    const clock = TestClock.make()
    const retries: Array<number> = []
    const { fa, calls } = failing(['a', 'b'], 'ok')
    const result = pipe(
      fa,
      OpenTelemetry.retry('op', S.exponential(10), { clock, onRetry: (e) => retries.push(e.delay) })
    )()
    await clock.runAll()
    expect(await result).toEqual(E.right('ok'))
    expect(calls()).toBe(3)
    expect(retries).toEqual([10, 20])
    // an SDK made but never registered saw nothing
    const sdk = makeSdk()
    expect(spansOf(sdk)).toEqual([])
    expect((await collect(sdk)).counter('schedule.retries')).toEqual([])
  })

  it("with only a context manager registered: no span is made, the attempt runs in the caller's context", async () => {
    register({ traces: false, metrics: false })
    const key = Symbol('request id')
    const seen: Array<unknown> = []
    const fa: TE.TaskEither<string, string> = () => {
      seen.push([trace.getSpan(context.active()), context.active().getValue(key)])
      return Promise.resolve(seen.length < 2 ? E.left('x') : E.right('ok'))
    }
    const run = pipe(fa, OpenTelemetry.retry('op', S.recurs(1)))
    expect(await context.with(context.active().setValue(key, 'r-1'), run)).toEqual(E.right('ok'))
    expect(seen).toEqual([
      [undefined, 'r-1'],
      [undefined, 'r-1']
    ])
  })

  it('a policy built before the SDK is registered reports to it, and to the next one after a swap', async () => {
    const policy = OpenTelemetry.retry('op', S.recurs(1))
    expect(await pipe(failing(['x'], 'a').fa, policy)()).toEqual(E.right('a'))
    const first = register()
    expect(await pipe(failing(['x'], 'b').fa, policy)()).toEqual(E.right('b'))
    expect(spansOf(first).map((s) => s.name)).toEqual(['op attempt 1', 'op attempt 2', 'op'])
    expect((await collect(first)).counter('schedule.retries')).toEqual([
      { attributes: { 'schedule.name': 'op' }, value: 1 }
    ])
    trace.disable()
    metrics.disable()
    const second = register()
    expect(await pipe(failing([], 'c').fa, policy)()).toEqual(E.right('c'))
    expect(spansOf(first)).toHaveLength(3)
    expect(spansOf(second).map((s) => s.name)).toEqual(['op attempt 1', 'op'])
    expect((await collect(second)).histogram('schedule.attempts')).toEqual([
      { attributes: { 'schedule.name': 'op', 'schedule.stopped_by': 'success' }, count: 1, sum: 1 }
    ])
  })

  it('traces without a meter provider: the spans, and no metric', async () => {
    const sdk = register({ metrics: false })
    expect(await pipe(failing(['x'], 'ok').fa, OpenTelemetry.retry('op', S.recurs(1)))()).toEqual(E.right('ok'))
    expect(spansOf(sdk).map((s) => s.name)).toEqual(['op attempt 1', 'op attempt 2', 'op'])
    expect(named(sdk, 'op').events).toHaveLength(1)
    expect((await collect(sdk)).counter('schedule.retries')).toEqual([])
  })

  it('an explicit tracer and meter are used instead of the global ones', async () => {
    const global = register()
    const own = makeSdk()
    const options = { tracer: own.tracerProvider.getTracer('own'), meter: own.meterProvider.getMeter('own') }
    expect(await pipe(failing(['x'], 'ok').fa, OpenTelemetry.retry('op', S.recurs(1), options))()).toEqual(
      E.right('ok')
    )
    expect(spansOf(own).map((s) => s.name)).toEqual(['op attempt 1', 'op attempt 2', 'op'])
    expect(spansOf(own)[2].instrumentationScope.name).toBe('own')
    expect(spansOf(global)).toEqual([])
    const { resourceMetrics } = await own.reader.collect()
    expect(resourceMetrics.scopeMetrics.map((s) => s.scope.name)).toEqual(['own'])
  })

  it('the global tracer and meter have the scope schedule-ts', async () => {
    const sdk = register()
    await pipe(failing([], 'ok').fa, OpenTelemetry.retry('op', S.recurs(1)))()
    expect(spansOf(sdk).map((s) => s.instrumentationScope.name)).toEqual(['schedule-ts', 'schedule-ts'])
  })

  it('spans sampled out: nothing exported, the trace still passed on to the attempt, metrics recorded', async () => {
    const sdk = register({ sampled: false })
    const seen: Array<boolean> = []
    const fa: TE.TaskEither<string, string> = () => {
      seen.push(trace.getSpan(context.active())?.spanContext().traceId !== undefined)
      return Promise.resolve(seen.length < 2 ? E.left('x') : E.right('ok'))
    }
    expect(await pipe(fa, OpenTelemetry.retry('op', S.recurs(1)))()).toEqual(E.right('ok'))
    expect(seen).toEqual([true, true])
    expect(spansOf(sdk)).toEqual([])
    expect((await collect(sdk)).counter('schedule.retries')).toEqual([
      { attributes: { 'schedule.name': 'op' }, value: 1 }
    ])
  })

  it('spans sampled out and no meter provider: the attempts still run in the trace', async () => {
    register({ sampled: false, metrics: false })
    const outer = trace.getTracer('test').startSpan('request')
    const traceIds: Array<string | undefined> = []
    const fa: TE.TaskEither<string, string> = () => {
      traceIds.push(trace.getSpan(context.active())?.spanContext().traceId)
      return Promise.resolve(E.right('ok'))
    }
    const run = pipe(fa, OpenTelemetry.retry('op', S.recurs(1)))
    expect(await context.with(trace.setSpan(context.active(), outer), run)).toEqual(E.right('ok'))
    expect(traceIds).toEqual([outer.spanContext().traceId])
    outer.end()
  })

  it('a no-op tracer and the no-op meter given explicitly: the call runs untraced', async () => {
    const noop = trace.getTracer('noop') // no SDK registered: the proxy forwards to the no-op tracer
    const seen: Array<Span | undefined> = []
    const fa: TE.TaskEither<string, string> = () => {
      seen.push(trace.getSpan(context.active()))
      return Promise.resolve(E.right('ok'))
    }
    const meter = metrics.getMeter('noop')
    expect(await pipe(fa, OpenTelemetry.retry('op', S.recurs(1), { tracer: noop, meter }))()).toEqual(E.right('ok'))
    expect(seen).toEqual([undefined])
    // a tracer of another making, whose spans are not recorded and carry an invalid context
    const invalid = { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }
    const tracer = { startSpan: () => trace.wrapSpanContext(invalid) } as unknown as Tracer
    expect(await pipe(fa, OpenTelemetry.retry('op', S.recurs(1), { tracer, meter }))()).toEqual(E.right('ok'))
    expect(seen).toEqual([undefined, undefined])
  })
})

// -------------------------------------------------------------------------------------
// validation and types
// -------------------------------------------------------------------------------------

describe('validation', () => {
  it('name: a TypeError when not a string, a RangeError when empty', () => {
    expect(() => OpenTelemetry.retry(42 as unknown as string, S.recurs(1))).toThrow(
      new TypeError('OpenTelemetry.retry: name must be a non-empty string, got number')
    )
    expect(() => OpenTelemetry.retry('', S.recurs(1))).toThrow(
      new RangeError('OpenTelemetry.retry: name must be a non-empty string, got an empty string')
    )
  })

  it('options, tracer, meter and attributes of the wrong type are TypeErrors naming them', () => {
    const bad: ReadonlyArray<readonly [unknown, RegExp]> = [
      [42, /OpenTelemetry.retry: options must be an object, got number/],
      ['', /OpenTelemetry.retry: options must be an object, got an empty string/],
      [{ tracer: 'x' }, /OpenTelemetry.retry: tracer must be an OpenTelemetry tracer, got string x/],
      [{ tracer: {} }, /OpenTelemetry.retry: tracer.startSpan must be a function/],
      [{ meter: null }, /OpenTelemetry.retry: meter must be an OpenTelemetry meter, got null/],
      [null, /OpenTelemetry.retry: options must be an object, got null/],
      [{ meter: { createCounter: () => undefined } }, /OpenTelemetry.retry: meter.createHistogram must be a function/],
      [{ attributes: ['a'] }, /OpenTelemetry.retry: attributes must be an object of attribute values, got object/],
      [{ attributes: { a: { nested: true } } }, /OpenTelemetry.retry: attributes.a must be a string, number, boolean/],
      [{ attributes: { a: [1, {}] } }, /OpenTelemetry.retry: attributes.a must be/]
    ]
    for (const [options, message] of bad) {
      expect(() => OpenTelemetry.retry('op', S.recurs(1), options as never), String(message)).toThrow(TypeError)
      expect(() => OpenTelemetry.retry('op', S.recurs(1), options as never)).toThrow(message)
    }
    expect(() =>
      OpenTelemetry.retry('op', S.recurs(1), { attributes: { a: 'x', b: 1, c: true, d: ['x', null], e: undefined } })
    ).not.toThrow()
  })

  it("TaskEither.retry's checks of the schedule and its options name OpenTelemetry.retry", () => {
    expect(() => OpenTelemetry.retry('op', null as never)).toThrow(
      new TypeError('OpenTelemetry.retry: schedule must be a Schedule, got null')
    )
    expect(() => OpenTelemetry.retry('op', S.recurs(1), { attemptTimeout: -1 } as never)).toThrow(RangeError)
    expect(() => OpenTelemetry.retry('op', S.recurs(1), { attemptTimeout: -1 } as never)).toThrow(
      /^OpenTelemetry.retry: attemptTimeout/
    )
    expect(() => OpenTelemetry.retry('op', S.recurs(1), { onRetry: 3 as never })).toThrow(
      new TypeError('OpenTelemetry.retry: onRetry must be a function, got 3')
    )
  })

  it('an error of another kind from building the runner passes through unchanged', () => {
    const bug = new Error('getter bug')
    const schedule = {
      initial: 0,
      get step(): never {
        throw bug
      }
    }
    expect(() => OpenTelemetry.retry('op', schedule as never)).toThrow(bug)
  })

  it('fa: a TypeError when not a function', () => {
    expect(() => OpenTelemetry.retry('op', S.recurs(1))('x' as never)).toThrow(
      new TypeError('OpenTelemetry.retry: fa must be a function, got string x')
    )
  })

  it('types: the error type widens with a signal and an attempt timeout, as TaskEither.retry does', () => {
    const fa: TE.TaskEither<string, number> = () => Promise.resolve(E.right(1))
    expectTypeOf(pipe(fa, OpenTelemetry.retry('op', S.recurs(1)))).toEqualTypeOf<TE.TaskEither<string, number>>()
    const signal = new AbortController().signal
    expectTypeOf(pipe(fa, OpenTelemetry.retry('op', S.recurs(1), { signal }))).toEqualTypeOf<
      TE.TaskEither<string | Retry.Interrupted<string>, number>
    >()
    const timed = OpenTelemetry.retry('op', S.recurs(1), { attemptTimeout: 100, tracer: undefined })
    expectTypeOf(pipe(fa, timed)).toEqualTypeOf<TE.TaskEither<string | Retry.AttemptTimeout, number>>()
  })
})

// -------------------------------------------------------------------------------------
// the picture in the guide
// -------------------------------------------------------------------------------------

describe('docs/img/trace.svg', () => {
  it('is drawn from the spans of a real call, and is the one the code draws today', async () => {
    const spans = await traceSpans()
    expect(spans.map((s) => s.name).sort()).toEqual(
      [
        'GET /orders/42',
        'fetch user',
        'fetch user attempt 1',
        'fetch user attempt 2',
        'fetch user attempt 3',
        'GET /users/42',
        'GET /users/42',
        'GET /users/42'
      ].sort()
    )
    const committed = fs.readFileSync(path.resolve(__dirname, '..', 'docs', 'img', 'trace.svg'), 'utf8')
    expect(await renderTrace(), 'run `npm run docs:plots` to redraw it').toBe(committed)
  }, 30_000)
})
