/**
 * Draws docs/img/trace.svg, the picture of a trace in the observability guide, from the spans that the
 * real OpenTelemetry SDK exported for a real `OpenTelemetry.retry` call: a request handler calls a
 * flaky user service through an instrumented HTTP client, which fails twice with a 503 and then
 * answers.
 *
 * The call runs on a `TestClock`, and the tracer given to `OpenTelemetry.retry` (and to the client)
 * stamps every span, event and end with the clock's time, so the picture shows the delays of the
 * schedule exactly and is the same on every run. Called by `npm run docs:plots` (scripts/plots.ts),
 * or alone: `npx tsx scripts/plots/trace.ts`.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api'
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor
} from '@opentelemetry/sdk-trace-base'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type { TaskEither } from 'fp-ts/TaskEither'
import type * as vl from 'vega-lite'
import * as OpenTelemetry from '../../src/OpenTelemetry'
import * as S from '../../src/Schedule'
import * as TestClock from '../../src/TestClock'
import { frameStyle, titleStyle, toSvg } from './svg'

// -------------------------------------------------------------------------------------
// the trace
// -------------------------------------------------------------------------------------

/** A tracer whose spans take their times (start, events, end) from `clock`. */
const onClock = (tracer: Tracer, clock: TestClock.TestClock): Tracer => {
  const stamped = (span: Span): Span =>
    new Proxy(span, {
      get: (target, property, receiver) => {
        if (property === 'end') return () => target.end(clock.now())
        if (property === 'addEvent') {
          return (name: string, attributes?: Record<string, number>) => {
            target.addEvent(name, attributes, clock.now())
            return receiver
          }
        }
        const value: unknown = Reflect.get(target, property, target)
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
  return {
    startSpan: (name, options, parent) =>
      stamped(tracer.startSpan(name, { ...options, startTime: clock.now() }, parent)),
    startActiveSpan: () => {
      throw new Error('not used')
    }
  }
}

/** Runs the scenario and returns the spans the SDK exported. */
export const traceSpans = async (): Promise<ReadonlyArray<ReadableSpan>> => {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const contextManager = new AsyncHooksContextManager().enable()
  context.setGlobalContextManager(contextManager)
  try {
    const clock = TestClock.make(Date.UTC(2025, 0, 1))
    const tracer = onClock(provider.getTracer('docs'), clock)
    // the instrumented client: a CLIENT span in the active context, around a request that takes `ms`
    const responses = [
      { status: 503, ms: 42 },
      { status: 503, ms: 35 },
      { status: 200, ms: 48 }
    ]
    let calls = 0
    const getUser: TaskEither<{ readonly _tag: 'HttpError'; readonly status: number }, string> = async () => {
      const { status, ms } = responses[calls++]
      const span = tracer.startSpan('GET /users/42', {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': 'GET', 'server.address': 'users.internal' }
      })
      await clock.sleep(ms)
      span.setAttribute('http.response.status_code', status)
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      span.end()
      return status === 200 ? E.right('Ada') : E.left({ _tag: 'HttpError', status })
    }
    const handler = tracer.startSpan('GET /orders/42', { kind: SpanKind.SERVER })
    const policy = pipe(S.exponential(100), S.maxRetries(4))
    const result = context.with(trace.setSpan(context.active(), handler), () =>
      pipe(
        getUser,
        OpenTelemetry.retry('fetch user', policy, { clock, tracer, attributes: { 'peer.service': 'users' } })
      )()
    )
    await clock.runAll()
    if (!E.isRight(await result)) throw new Error('the scenario should end with a Right')
    await clock.adjust(6)
    handler.end()
    await provider.forceFlush()
    return exporter.getFinishedSpans()
  } finally {
    context.disable()
    contextManager.disable()
    await provider.shutdown()
  }
}

// -------------------------------------------------------------------------------------
// the picture
// -------------------------------------------------------------------------------------

const ms = (time: readonly [number, number]): number => time[0] * 1000 + time[1] / 1e6

interface Bar {
  readonly order: number
  readonly label: string
  /** Where the label starts, in pixels left of the plot: indented by the span's depth. */
  readonly indent: number
  readonly start: number
  readonly end: number
  readonly status: 'error' | 'ok'
  readonly note: string
  /** Where the note goes: after the bar's start, or before its end when the bar is far to the right. */
  readonly side: 'start' | 'end'
}

interface Mark {
  readonly order: number
  readonly at: number
  readonly until: number
  readonly label: string
}

/** The spans as bars, in start order, indented by depth; the retry events as marks with their sleeps. */
const layout = (spans: ReadonlyArray<ReadableSpan>): { bars: ReadonlyArray<Bar>; marks: ReadonlyArray<Mark> } => {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]))
  const depth = (span: ReadableSpan): number => {
    const parent = span.parentSpanContext && byId.get(span.parentSpanContext.spanId)
    return parent === undefined ? 0 : 1 + depth(parent)
  }
  const sorted = [...spans].sort((a, b) => ms(a.startTime) - ms(b.startTime) || depth(a) - depth(b))
  const origin = ms(sorted[0].startTime)
  const attribute = (span: ReadableSpan, key: string): string => String(span.attributes[key])
  const note = (span: ReadableSpan): string => {
    const duration = `${Math.round(ms(span.endTime) - ms(span.startTime))} ms`
    if (span.attributes['schedule.stopped_by'] !== undefined) {
      return `${duration} · schedule.attempts ${attribute(span, 'schedule.attempts')} · total_delay_ms ${attribute(
        span,
        'schedule.total_delay_ms'
      )} · stopped_by ${attribute(span, 'schedule.stopped_by')}`
    }
    if (span.attributes['schedule.attempt'] !== undefined) {
      const error = span.attributes['error.type']
      return `${duration} · schedule.attempt ${attribute(span, 'schedule.attempt')}${
        error === undefined ? '' : ` · error.type ${String(error)}`
      }`
    }
    const status = span.attributes['http.response.status_code']
    return status === undefined ? duration : `${duration} · ${String(status)}`
  }
  const last = Math.max(...sorted.map((span) => ms(span.endTime) - origin))
  const bars = sorted.map((span, order) => ({
    order,
    side: ms(span.startTime) - origin > last * 0.6 ? ('end' as const) : ('start' as const),
    label: span.name,
    indent: -180 + 16 * depth(span),
    start: ms(span.startTime) - origin,
    end: ms(span.endTime) - origin,
    status: span.status.code === SpanStatusCode.ERROR ? ('error' as const) : ('ok' as const),
    note: note(span)
  }))
  const marks = sorted.flatMap((span, order) =>
    span.events
      .filter((event) => event.name === 'retry')
      .map((event) => {
        const delay = Number(event.attributes?.['schedule.delay_ms'])
        const at = ms(event.time) - origin
        return { order, at, until: at + delay, label: `retry · schedule.delay_ms ${delay}` }
      })
  )
  return { bars, marks }
}

const spec = (bars: ReadonlyArray<Bar>, marks: ReadonlyArray<Mark>): vl.TopLevelSpec => {
  const end = Math.max(...bars.map((b) => b.end))
  const x = {
    type: 'quantitative' as const,
    title: 'time since the request started (ms)',
    scale: { domain: [0, end * 1.02] },
    axis: { format: ',.0f' }
  }
  const y = {
    field: 'order',
    type: 'ordinal' as const,
    title: null,
    axis: { labelExpr: 'datum.label', labels: false, ticks: false, domain: false }
  }
  const rowHeight = 34
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'A trace of OpenTelemetry.retry: two 503s, then a success',
      subtitle: [
        "pipe(getUser, OpenTelemetry.retry('fetch user', pipe(S.exponential(100), S.maxRetries(4))))",
        'rendered from the spans the SDK exported (scripts/plots/trace.ts)',
        'red: status ERROR; grey: the sleep that follows each retry event'
      ],
      ...titleStyle
    },
    width: 640,
    height: rowHeight * bars.length,
    ...frameStyle,
    padding: { left: 190, top: 86, right: 24, bottom: 44 },
    layer: [
      {
        data: { values: bars as Array<Bar> },
        mark: { type: 'bar', height: 14, cornerRadius: 2 },
        encoding: {
          x: { ...x, field: 'start' },
          x2: { field: 'end' },
          y,
          color: {
            field: 'status',
            type: 'nominal',
            title: 'status',
            scale: { domain: ['ok', 'error'], range: ['#4c78a8', '#e45756'] },
            legend: null
          }
        }
      },
      {
        data: { values: marks as Array<Mark> },
        mark: { type: 'bar', height: 14, color: '#bbbbbb', opacity: 0.9 },
        encoding: { x: { ...x, field: 'at' }, x2: { field: 'until' }, y }
      },
      {
        data: { values: marks as Array<Mark> },
        mark: { type: 'tick', thickness: 2, size: 22, color: '#333333' },
        encoding: { x: { ...x, field: 'at' }, y }
      },
      {
        data: { values: marks as Array<Mark> },
        mark: { type: 'text', align: 'left', dx: 4, dy: -12, fontSize: 10, color: '#333333' },
        encoding: { x: { ...x, field: 'at' }, y, text: { field: 'label' } }
      },
      {
        data: { values: bars as Array<Bar> },
        mark: { type: 'text', align: 'left', fontSize: 11, color: '#222222' },
        encoding: { x: { field: 'indent', type: 'quantitative', scale: null }, y, text: { field: 'label' } }
      },
      ...(['start', 'end'] as const).map((side) => ({
        data: { values: bars.filter((bar) => bar.side === side) as Array<Bar> },
        mark: {
          type: 'text' as const,
          align: side === 'start' ? ('left' as const) : ('right' as const),
          dy: 14,
          fontSize: 10,
          color: '#555555'
        },
        encoding: { x: { ...x, field: side }, y, text: { field: 'note' } }
      }))
    ]
  }
}

/** Renders the trace to an SVG string. */
export const renderTrace = async (): Promise<string> => {
  const { bars, marks } = layout(await traceSpans())
  return toSvg(spec(bars, marks))
}

/** Writes `trace.svg` into `dir`, and returns its path. */
export const writeTrace = async (dir: string): Promise<string> => {
  const file = path.join(dir, 'trace.svg')
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(file, await renderTrace())
  return file
}

if (require.main === module) {
  writeTrace(path.resolve(__dirname, '..', '..', 'docs', 'img'))
    .then((file) => console.log(`${path.relative(process.cwd(), file)}  a trace of OpenTelemetry.retry`))
    .catch((error: unknown) => {
      console.error(error)
      process.exitCode = 1
    })
}
