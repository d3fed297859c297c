/**
 * What `schedule-ts/OpenTelemetry` costs: the same calls through `TaskEither.retry` (untraced), through
 * `OpenTelemetry.retry` with no SDK registered, and through it with an SDK registered: a
 * `BasicTracerProvider` with a `BatchSpanProcessor` (the Node SDK's default) into an in-memory exporter
 * that counts the spans and drops them, as a network exporter does once they are sent; a `MeterProvider`
 * with an in-memory reader; the `AsyncLocalStorageContextManager` that the Node SDK installs. A last
 * variant makes the same spans, events and metrics by hand around the same attempts, without
 * schedule-ts: the SDK's own cost, which the traced call cannot go below.
 *
 * The SDK's `InMemorySpanExporter` is not used here: it keeps every span, and it answers each export on a
 * timer that a batch of awaited calls never lets run, so the processor's queue holds the whole batch and
 * the figure would measure the garbage collection of tens of thousands of retained spans.
 *
 * Two scenarios: the happy path (the first attempt succeeds, with the shared policy of the main
 * table) and one zero-delay retry (the first attempt fails, the second succeeds). Each variant is
 * timed in batches of awaited calls, the variants interleaved round by round so they see the same
 * load; the figure is the best batch, and the ratio is to the untraced call's best batch.
 *
 * Like contenders.ts, this file is bundled with esbuild and loaded from the bundle, so that no code
 * measured here is transformed by tsx (whose `keepNames` adds a call per closure created).
 */
import { type Attributes, context, metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import * as esbuild from 'esbuild'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { TaskEither } from 'fp-ts/TaskEither'
import * as path from 'path'
import * as OpenTelemetry from '../../src/OpenTelemetry'
import * as S from '../../src/Schedule'
import * as Retry from '../../src/TaskEither'
import { collect, fmt, median } from './measure'
import { makeBatch } from './happyPath'

// -------------------------------------------------------------------------------------
// the SDK
// -------------------------------------------------------------------------------------

/** A metric reader that only answers `collect()`. */
class InMemoryMetricReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

const makeSdk = () => {
  let exported = 0
  const exporter: SpanExporter = {
    export: (spans, done) => {
      exported += spans.length
      done({ code: 0 })
    },
    shutdown: () => Promise.resolve()
  }
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] })
  const meterProvider = new MeterProvider({ readers: [new InMemoryMetricReader()] })
  const contextManager = new AsyncLocalStorageContextManager()
  return {
    tracerProvider,
    meterProvider,
    register: (): void => {
      context.setGlobalContextManager(contextManager.enable())
      trace.setGlobalTracerProvider(tracerProvider)
      metrics.setGlobalMeterProvider(meterProvider)
    },
    /** Exports what is queued, and returns the number of spans exported since the last call. */
    drain: async (): Promise<number> => {
      await tracerProvider.forceFlush()
      const count = exported
      exported = 0
      return count
    },
    unregister: (): void => {
      trace.disable()
      metrics.disable()
      context.disable()
      contextManager.disable()
    },
    shutdown: async (): Promise<void> => {
      await tracerProvider.shutdown()
      await meterProvider.shutdown()
    }
  }
}

type Sdk = ReturnType<typeof makeSdk>

// -------------------------------------------------------------------------------------
// the calls
// -------------------------------------------------------------------------------------

const right: E.Either<Error, number> = E.right(1)
const left: E.Either<Error, number> = E.left(new Error('503'))
const succeed: TaskEither<Error, number> = () => Promise.resolve(right)

/** A TaskEither whose attempts fail and succeed in turn: every call fails once, then succeeds. */
const failsOnce = (): TaskEither<Error, number> => {
  let fail = false
  return () => Promise.resolve((fail = !fail) ? left : right)
}

/**
 * The telemetry of `OpenTelemetry.retry` made by hand with the SDK, around a loop of at most
 * `maxAttempts` attempts with no delay: the call span, a span per attempt made active, a `retry`
 * event, the three metrics.
 */
const byHand = (sdk: Sdk, maxAttempts: number, fa: TaskEither<Error, number>) => {
  const tracer = sdk.tracerProvider.getTracer('by hand')
  const meter = sdk.meterProvider.getMeter('by hand')
  const retries = meter.createCounter('schedule.retries')
  const attemptsHistogram = meter.createHistogram('schedule.attempts')
  const delays = meter.createHistogram('schedule.retry_delay')
  const attributes: Attributes = { 'schedule.name': 'bench' }
  const success: Attributes = { ...attributes, 'schedule.stopped_by': 'success' }
  return async (): Promise<E.Either<Error, number>> => {
    const parent = context.active()
    const span = tracer.startSpan('bench', { kind: SpanKind.INTERNAL, attributes }, parent)
    const callContext = trace.setSpan(parent, span)
    let result = left
    let n = 0
    while (n < maxAttempts) {
      n++
      const attemptSpan = tracer.startSpan(`bench attempt ${n}`, { attributes: { 'schedule.attempt': n } }, callContext)
      result = await context.with(trace.setSpan(callContext, attemptSpan), fa)
      if (E.isLeft(result)) {
        attemptSpan.setAttribute('error.type', 'Error')
        attemptSpan.setStatus({ code: SpanStatusCode.ERROR })
      }
      attemptSpan.end()
      if (E.isRight(result)) break
      span.addEvent('retry', { 'schedule.attempt': n, 'schedule.delay_ms': 0 })
      retries.add(1, attributes)
      delays.record(0, attributes)
    }
    span.setAttribute('schedule.attempts', n)
    span.setAttribute('schedule.total_delay_ms', 0)
    span.setAttribute('schedule.stopped_by', 'success')
    span.end()
    attemptsHistogram.record(n, success)
    return result
  }
}

type Variant = 'untraced' | 'noSdk' | 'sdk' | 'byHand'

interface Scenario {
  readonly name: string
  /** Spans made per call when traced: the call span and one per attempt. */
  readonly spans: number
  readonly build: (variant: Variant, sdk: Sdk) => () => Promise<unknown>
}

const policy = pipe(S.exponential(100), S.jittered, S.maxRetries(5))

const scenarios: ReadonlyArray<Scenario> = [
  {
    name: 'happy path',
    spans: 2,
    build: (variant, sdk) =>
      variant === 'untraced'
        ? Retry.retry(policy)(succeed)
        : variant === 'byHand'
        ? byHand(sdk, 6, succeed)
        : OpenTelemetry.retry('bench', policy)(succeed)
  },
  {
    name: 'one 0-delay retry',
    spans: 3,
    build: (variant, sdk) =>
      variant === 'untraced'
        ? Retry.retry(S.recurs(1))(failsOnce())
        : variant === 'byHand'
        ? byHand(sdk, 2, failsOnce())
        : OpenTelemetry.retry('bench', S.recurs(1))(failsOnce())
  }
]

const labels: Record<Variant, string> = {
  untraced: 'TaskEither.retry (untraced)',
  noSdk: 'OpenTelemetry.retry',
  sdk: 'OpenTelemetry.retry',
  byHand: 'the same telemetry by hand'
}

// -------------------------------------------------------------------------------------
// measuring
// -------------------------------------------------------------------------------------

export interface TelemetryRow {
  readonly scenario: string
  readonly variant: string
  /** The best batch, in ns per call. */
  readonly best: number
  readonly median: number
  /** Best to best, and median to median, against the untraced call. */
  readonly ratio: number
  readonly medianRatio: number
}

/**
 * The two settings, measured one after the other: the SDK's context manager turns on promise hooks,
 * which slow down every promise of the process and deoptimize its code when turned on or off, so it
 * stays on for the whole of the second setting, and each ratio is to the untraced call of its setting.
 */
const settings: ReadonlyArray<{
  readonly name: string
  readonly sdk: boolean
  readonly variants: ReadonlyArray<Variant>
}> = [
  { name: 'no SDK', sdk: false, variants: ['untraced', 'noSdk'] },
  { name: 'SDK', sdk: true, variants: ['untraced', 'sdk', 'byHand'] }
]

/** Measures every scenario in every variant. */
export const measure = async (quick: boolean, log: (message: string) => void): Promise<ReadonlyArray<TelemetryRow>> => {
  const calls = quick ? 1_000 : 10_000
  const rounds = quick ? 5 : 15
  const sdk = makeSdk()
  const rows: Array<TelemetryRow> = []
  for (const setting of settings) {
    if (setting.sdk) sdk.register()
    for (const scenario of scenarios) {
      const runs = setting.variants.map((variant) => ({
        variant,
        call: scenario.build(variant, sdk),
        batch: makeBatch(),
        samples: [] as Array<number>
      }))
      const timed = async (run: (typeof runs)[number]): Promise<number> => {
        collect()
        await run.batch(run.call, calls) // untimed: compiles again what the collection flushed
        const ns = await run.batch(run.call, calls)
        const exported = setting.sdk ? await sdk.drain() : 0
        const expected = run.variant === 'sdk' || run.variant === 'byHand' ? 2 * calls * scenario.spans : 0
        // every span reached the exporter: the telemetry was really made (and none without an SDK)
        if (exported !== expected) {
          throw new Error(`${scenario.name}, ${run.variant}: ${expected} spans expected, ${exported} exported`)
        }
        return ns
      }
      for (const run of runs) await timed(run) // warm-up
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < runs.length; i++) {
          const run = runs[(i + round) % runs.length]
          run.samples.push(await timed(run))
        }
      }
      const base = runs[0].samples
      for (const run of runs) {
        rows.push({
          scenario: `${scenario.name}, ${setting.name}`,
          variant: labels[run.variant],
          best: Math.min(...run.samples),
          median: median(run.samples),
          ratio: Math.min(...run.samples) / Math.min(...base),
          medianRatio: median(run.samples) / median(base)
        })
      }
      log(`telemetry: ${scenario.name}, ${setting.name}: done`)
    }
    if (setting.sdk) sdk.unregister()
  }
  await sdk.shutdown()
  return rows
}

/** The rows as a table, for the end of `npm run bench`. */
export const table = (rows: ReadonlyArray<TelemetryRow>): string => {
  const header = ['telemetry', 'call', 'ns/call (best)', 'vs untraced', 'median', 'median vs untraced']
  const cells = rows.map((r) => [
    r.scenario,
    r.variant,
    fmt(r.best),
    `${r.ratio.toFixed(2)}x`,
    fmt(r.median),
    `${r.medianRatio.toFixed(2)}x`
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c: ReadonlyArray<string>): string => `| ${c.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n')
}

/** Bundles this file (see the header) and runs its `measure` from the bundle; returns the table. */
export const telemetry = async (quick: boolean, log: (message: string) => void): Promise<string> => {
  const outfile = path.resolve(__dirname, '..', '..', 'node_modules', '.cache', 'schedule-ts-bench', 'telemetry.cjs')
  await esbuild.build({
    entryPoints: [__filename],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
    external: ['esbuild']
  })
  const bundled = require(outfile) as typeof import('./telemetry')
  return bundled.table(await bundled.measure(quick, log))
}
