/**
 * `npm run bench`: schedule-ts side by side with the retry libraries users would pick instead, in
 * one process so that the ratios hold on a noisy machine.
 *
 *   npm run bench                 full run (about a minute)
 *   npm run bench -- --quick      fewer iterations, a few seconds
 *   npm run bench -- --json       the same rows as JSON on stdout (progress goes to stderr)
 *
 * Run with `--expose-gc` (the `bench` script does) so the memory rows can force collections.
 */
import * as esbuild from 'esbuild'
import { setMaxListeners } from 'events'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { bundleSize, packedProject, policyEntries } from './bench/bundle'
import { clockReads } from './bench/clock'
import type { Contender, Fails, NotApplicable } from './bench/contenders'
import {
  activeTimers,
  collect,
  delay,
  fmt,
  gcExposed,
  median,
  now,
  quantile,
  settledHeap,
  sig,
  tick
} from './bench/measure'
import { telemetry } from './bench/telemetry'

// -------------------------------------------------------------------------------------
// settings
// -------------------------------------------------------------------------------------

const args = new Set(process.argv.slice(2))
const quick = args.has('--quick')
const asJson = args.has('--json')

const settings = quick
  ? {
      happyWarmup: 2_000,
      happyCalls: 1_000,
      happyRounds: 5,
      zeroFailures: 10_000,
      zeroRounds: 2,
      zeroProbe: 20,
      zeroBudget: 100,
      bigRetries: 100_000,
      bigLimit: 100,
      steps: 100_000,
      stepWarmup: 2_000,
      stepBudget: 100,
      pending: 1_000,
      shortSleep: 300,
      abortSamples: 5,
      abortShortSleep: 50
    }
  : {
      happyWarmup: 50_000,
      happyCalls: 10_000,
      happyRounds: 15,
      zeroFailures: 10_000,
      zeroRounds: 7,
      zeroProbe: 100,
      zeroBudget: 600,
      bigRetries: 100_000,
      bigLimit: 4_000,
      steps: 1_000_000,
      stepWarmup: 10_000,
      stepBudget: 3_000,
      pending: 10_000,
      shortSleep: 1_000,
      abortSamples: 15,
      abortShortSleep: 200
    }

/** A delay long enough that nothing wakes up during a measurement; runs are aborted instead. */
const LONG_SLEEP = 60_000

const log = (message: string): void => {
  process.stderr.write(`${message}\n`)
}

const root = path.resolve(__dirname, '..')

// -------------------------------------------------------------------------------------
// the contenders, bundled with esbuild
// -------------------------------------------------------------------------------------

/**
 * Bundles scripts/bench/contenders.ts (schedule-ts's src, the peers and the adapters) with esbuild,
 * without `keepNames`, and loads it: tsx would otherwise transform schedule-ts's src and the ESM-only
 * peers with `keepNames`, which costs an `Object.defineProperty` every time a named closure is created.
 */
const load = async (): Promise<typeof import('./bench/contenders')> => {
  const outfile = path.join(root, 'node_modules', '.cache', 'schedule-ts-bench', 'contenders.cjs')
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'bench', 'contenders.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent'
  })
  return require(outfile) as typeof import('./bench/contenders')
}

let contenders: ReadonlyArray<Contender> = []
let isNotApplicable: (u: unknown) => u is NotApplicable = (u): u is NotApplicable => u === undefined

const versionOf = (contender: Contender): string => {
  if (contender.package === undefined) return '-'
  const dir = contender.package === 'schedule-ts' ? root : path.join(root, 'node_modules', contender.package)
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }
  return contender.package === 'schedule-ts' ? `${version} (src; bundle: packed)` : version
}

// -------------------------------------------------------------------------------------
// results
// -------------------------------------------------------------------------------------

type Column =
  | 'happyPath'
  | 'happyPathVsBare'
  | 'zeroDelay'
  | 'retries100k'
  | 'stepHeap'
  | 'pendingHeap'
  | 'abortLatency'
  | 'bundle'
  | 'bundleFpTsExternal'

interface Cell {
  /** The measured figure in `unit`, or null when the scenario does not apply or failed. */
  readonly value: number | null
  readonly unit: string
  /** `value` divided by schedule-ts's value (lower is better everywhere); null when it means nothing. */
  ratio: number | null
  /** The figure as printed, without the ratio. */
  readonly text: string
  /** Why a figure is missing, or how it was obtained when not measured as the others were. */
  readonly note?: string
  /** Marks an approximate figure (measured over fewer iterations and extrapolated). */
  readonly approximate?: boolean
  /** Whether the heap stayed flat (grew less than the noise of a collection) while stepping. */
  readonly flat?: boolean
  /** Whether the 100k run completed within its time limit. */
  readonly completed?: boolean
}

const columns: ReadonlyArray<{ readonly key: Column; readonly title: string; readonly ratio: boolean }> = [
  { key: 'happyPath', title: 'happy path (ns/call)', ratio: true },
  { key: 'happyPathVsBare', title: 'vs bare call', ratio: false },
  { key: 'zeroDelay', title: '0-delay retry (µs)', ratio: true },
  { key: 'retries100k', title: '100k 0-delay retries', ratio: true },
  {
    key: 'stepHeap',
    title: `heap, ${settings.steps >= 1e6 ? '1M' : fmt(settings.steps / 1000) + 'k'} steps`,
    ratio: true
  },
  { key: 'pendingHeap', title: 'heap/pending retry', ratio: true },
  { key: 'abortLatency', title: 'abort latency', ratio: true },
  { key: 'bundle', title: 'bundle gz', ratio: true },
  { key: 'bundleFpTsExternal', title: 'bundle gz (fp-ts ext.)', ratio: true }
]

const results = new Map<string, Partial<Record<Column, Cell>>>()

const set = (contender: Contender, column: Column, cell: Omit<Cell, 'ratio'>): void => {
  ;(results.get(contender.name) as Partial<Record<Column, Cell>>)[column] = { ratio: null, ...cell }
}

const notApplicable = (contender: Contender, column: Column, why: string, unit: string): void =>
  set(contender, column, { value: null, unit, text: contender.package === undefined ? '-' : 'n/a', note: why })

// -------------------------------------------------------------------------------------
// 1. happy path
// -------------------------------------------------------------------------------------

type Batch = (call: () => Promise<unknown>, n: number) => Promise<number>

/**
 * A loop of `n` awaited calls, returning ns per call. Each contender gets its own copy, compiled from
 * source, so that its call site stays monomorphic as in an application that uses one library: with one
 * shared loop, the call site sees seven functions, goes megamorphic, and the fast contenders were
 * measured up to 2x slower next to the slow ones than alone.
 */
const makeBatch = (): Batch =>
  new Function(
    'call',
    'n',
    `return (async () => {
      const start = performance.now()
      for (let i = 0; i < n; i++) await call()
      return ((performance.now() - start) * 1e6) / n
    })()`
  ) as Batch

/**
 * Times `run` in isolation from what ran before: a full collection first, so that no other
 * contender's garbage is collected on this one's time, then an untimed run, so that code the
 * collection flushed is compiled again and the young generation has grown back to its working size.
 * Without it, the peers' figures moved 2-5x with the order they ran in.
 */
const isolated = async (run: () => Promise<number>): Promise<number> => {
  collect()
  await run()
  return run()
}

const happyPath = async (): Promise<void> => {
  log('happy path: warming up')
  const calls = contenders.map((c) => ({ contender: c, call: c.happy(), batch: makeBatch() }))
  const bare = calls.find(({ contender }) => contender.package === undefined) as (typeof calls)[number]
  for (const { call, batch } of calls) {
    await batch(call, settings.happyWarmup)
  }
  // the batches of each contender, and of the bare call right before each of them
  const own = new Map<string, Array<number>>(contenders.map((c) => [c.name, []]))
  const bareBefore = new Map<string, Array<number>>(contenders.map((c) => [c.name, []]))
  const others = calls.filter((c) => c !== bare)
  const n = settings.happyCalls
  for (let round = 0; round < settings.happyRounds; round++) {
    for (let i = 0; i < others.length; i++) {
      const { contender, call, batch } = others[(i + round) % others.length]
      ;(bareBefore.get(contender.name) as Array<number>).push(await isolated(() => bare.batch(bare.call, n)))
      ;(own.get(contender.name) as Array<number>).push(await isolated(() => batch(call, n)))
    }
    log(`happy path: round ${round + 1}/${settings.happyRounds}`)
  }
  own.set(bare.contender.name, [...bareBefore.values()].flat())
  bareBefore.set(bare.contender.name, [...bareBefore.values()].flat())
  // noise on a shared machine only ever adds time, so the cost of a call is the best batch; the ratio
  // is to the best of the bare batches run right before this contender's, so both saw the same load
  for (const c of contenders) {
    const samples = own.get(c.name) as Array<number>
    const bares = bareBefore.get(c.name) as Array<number>
    const best = Math.min(...samples)
    const ratio = best / Math.min(...bares)
    const typical = median(samples) / median(bares)
    set(c, 'happyPath', {
      value: best,
      unit: 'ns/call',
      text: fmt(best),
      note: `best of ${samples.length} batches of ${fmt(n)} calls; median ${fmt(median(samples))}, quartiles ${fmt(
        quantile(samples, 0.25)
      )}-${fmt(quantile(samples, 0.75))} ns`
    })
    set(c, 'happyPathVsBare', {
      value: ratio,
      unit: 'x bare',
      text: `${ratio.toFixed(2)}x`,
      note: `best to best; median to median ${typical.toFixed(2)}x`
    })
  }
}

// -------------------------------------------------------------------------------------
// 2. zero-delay retries
// -------------------------------------------------------------------------------------

/** Runs `failures` failures then a success; returns µs per retry. */
const zeroDelayRun = async (
  run: (fails: Fails, maxRetries: number) => Promise<unknown>,
  failures: number
): Promise<number> => {
  let attempts = 0
  const fails: Fails = () => attempts++ < failures
  const start = now()
  await run(fails, failures)
  const elapsed = now() - start
  if (attempts !== failures + 1) {
    throw new Error(`expected ${failures + 1} attempts, saw ${attempts}`)
  }
  return (elapsed * 1000) / failures
}

const zeroDelay = async (): Promise<void> => {
  const fast: Array<{ contender: Contender; run: (fails: Fails, maxRetries: number) => Promise<unknown> }> = []
  for (const c of contenders) {
    if (isNotApplicable(c.zeroDelay)) {
      notApplicable(c, 'zeroDelay', c.zeroDelay.na, 'µs/retry')
      continue
    }
    // a short probe (also a warm-up, hence the better of two) tells whether the full count fits the budget
    const probe = Math.min(
      await zeroDelayRun(c.zeroDelay, settings.zeroProbe),
      await zeroDelayRun(c.zeroDelay, settings.zeroProbe)
    )
    if ((probe * settings.zeroFailures) / 1000 > settings.zeroBudget) {
      const n = Math.max(
        settings.zeroProbe,
        Math.min(settings.zeroFailures, Math.floor((settings.zeroBudget * 1000) / probe))
      )
      const value = await zeroDelayRun(c.zeroDelay, n)
      set(c, 'zeroDelay', {
        value,
        unit: 'µs/retry',
        text: `~${sig(value)}`,
        approximate: true,
        note: `measured over ${fmt(n)} retries, not ${fmt(settings.zeroFailures)}, to stay within ${fmt(
          settings.zeroBudget
        )} ms`
      })
      log(`zero-delay: ${c.name} ${sig(value)} µs/retry over ${n} retries`)
    } else {
      await zeroDelayRun(c.zeroDelay, settings.zeroFailures)
      fast.push({ contender: c, run: c.zeroDelay })
    }
  }
  const samples = new Map<string, Array<number>>(fast.map(({ contender }) => [contender.name, []]))
  for (let round = 0; round < settings.zeroRounds; round++) {
    for (let i = 0; i < fast.length; i++) {
      const { contender, run } = fast[(i + round) % fast.length]
      const value = await isolated(() => zeroDelayRun(run, settings.zeroFailures))
      ;(samples.get(contender.name) as Array<number>).push(value)
    }
    log(`zero-delay: round ${round + 1}/${settings.zeroRounds}`)
  }
  for (const { contender } of fast) {
    const values = samples.get(contender.name) as Array<number>
    const value = median(values)
    set(contender, 'zeroDelay', {
      value,
      unit: 'µs/retry',
      text: sig(value),
      note: `median of ${values.length} runs; quartiles ${sig(quantile(values, 0.25))}-${sig(
        quantile(values, 0.75)
      )} µs`
    })
  }
}

// -------------------------------------------------------------------------------------
// 3. 100,000 zero-delay retries
// -------------------------------------------------------------------------------------

const bigRun = async (): Promise<void> => {
  const target = settings.bigRetries
  for (const c of contenders) {
    if (isNotApplicable(c.zeroDelay)) {
      notApplicable(c, 'retries100k', c.zeroDelay.na, 'ms')
      continue
    }
    let retries = 0
    let stopped = false
    const deadline = now() + settings.bigLimit
    // past the time limit the operation succeeds, so a slow library ends its run by itself
    const fails: Fails = () => {
      if (retries >= target) return false
      if ((retries & 31) === 0 && now() > deadline) {
        stopped = true
        return false
      }
      retries++
      return true
    }
    const start = now()
    try {
      await c.zeroDelay(fails, target)
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      set(c, 'retries100k', {
        value: null,
        unit: 'ms',
        text: 'crashed',
        completed: false,
        note: `failed after ${fmt(retries)} retries: ${message}`
      })
      log(`100k: ${c.name} crashed: ${message}`)
      continue
    }
    const elapsed = now() - start
    if (stopped) {
      const extrapolated = (elapsed / retries) * target
      set(c, 'retries100k', {
        value: extrapolated,
        unit: 'ms',
        text: extrapolated >= 1000 ? `~${sig(extrapolated / 1000)} s` : `~${fmt(extrapolated)} ms`,
        approximate: true,
        completed: false,
        note: `not done within the ${fmt(settings.bigLimit)} ms limit: ${fmt(
          retries
        )} retries ran, the time is extrapolated`
      })
    } else {
      set(c, 'retries100k', {
        value: elapsed,
        unit: 'ms',
        text: elapsed >= 1000 ? `${sig(elapsed / 1000)} s` : `${fmt(elapsed)} ms`,
        completed: true
      })
    }
    log(`100k: ${c.name} ${stopped ? 'stopped' : 'done'} after ${fmt(retries)} retries, ${fmt(elapsed)} ms`)
  }
}

// -------------------------------------------------------------------------------------
// 4. memory
// -------------------------------------------------------------------------------------

/**
 * Heap growth below this many bytes per step (or a shrinking heap) is reported as flat: a collection
 * leaves a few hundred KB of noise either way, while keeping anything per step costs 16 bytes or more.
 */
const FLAT_PER_STEP = 1

const sink: Array<unknown> = []

const signedKB = (bytes: number): string => {
  const kb = Math.round(bytes / 1024)
  return kb === 0 ? '0 KB' : `${kb > 0 ? '+' : ''}${fmt(kb)} KB`
}

const stepHeap = async (): Promise<void> => {
  for (const c of contenders) {
    if (isNotApplicable(c.step)) {
      notApplicable(c, 'stepHeap', c.step.na, 'bytes/step')
      continue
    }
    // a warm-up, so compiled code is not counted as growth, also tells how many steps fit the time budget
    const warmup = settings.stepWarmup
    const warmupStart = now()
    c.step(warmup)
    const estimate = (now() - warmupStart) / warmup
    // the warm-up runs colder than the measurement: cut the count only when it would take twice the budget
    const n =
      estimate * settings.steps > 2 * settings.stepBudget
        ? Math.max(warmup, Math.floor(settings.stepBudget / estimate))
        : settings.steps
    const before = await settledHeap()
    const start = now()
    const last = c.step(n)
    const elapsed = now() - start
    const after = await settledHeap()
    sink.push(last) // the final state stays reachable until after the reading
    const growth = after - before
    const perStep = growth / n
    set(c, 'stepHeap', {
      value: perStep,
      unit: 'bytes/step',
      text: perStep < FLAT_PER_STEP ? `flat (${signedKB(growth)})` : `${signedKB(growth)} (${sig(perStep)} B/step)`,
      approximate: n < settings.steps,
      flat: perStep < FLAT_PER_STEP,
      note: `${sig((elapsed * 1e6) / n)} ns/step${
        n < settings.steps
          ? `; measured over ${fmt(n)} steps, not ${fmt(settings.steps)}, to stay within ${fmt(settings.stepBudget)} ms`
          : ''
      }`
    })
    log(`step heap: ${c.name} ${fmt(growth)} bytes over ${fmt(n)} steps, ${sig((elapsed * 1e6) / n)} ns/step`)
  }
  sink.length = 0
}

const ignore = (): void => undefined

const pendingHeap = async (): Promise<void> => {
  const n = settings.pending
  // what the harness itself holds per run (a promise and its handlers), subtracted from every reading
  const harness = async (): Promise<number> => {
    const before = await settledHeap()
    const held = Array.from({ length: n }, () => new Promise<void>(ignore).then(ignore, ignore))
    const after = await settledHeap()
    sink.push(held)
    sink.length = 0
    return (after - before) / n
  }
  const overhead = await harness()
  const timersBefore = activeTimers()
  for (const c of contenders) {
    if (isNotApplicable(c.sleeping)) {
      notApplicable(c, 'pendingHeap', c.sleeping.na, 'bytes')
      continue
    }
    const build = c.sleeping
    const cancels = c.abort === 'cancels'
    const sleep = cancels ? LONG_SLEEP : settings.shortSleep
    const controller = new AbortController()
    setMaxListeners(n + 10, controller.signal)
    const sleeping = build(sleep, controller.signal)
    const before = await settledHeap()
    let settled = 0
    const done = (): void => {
      settled++
    }
    const runs = Array.from({ length: n }, () => sleeping().then(done, done))
    await delay(20) // every first attempt has failed: all runs are asleep
    const after = await settledHeap()
    const woke = settled
    const abortedAt = now()
    if (cancels) controller.abort()
    await Promise.all(runs)
    const ended = now() - abortedAt
    const perRun = (after - before) / n - overhead
    const left = activeTimers() - timersBefore
    set(c, 'pendingHeap', {
      value: perRun,
      unit: 'bytes',
      text: `${fmt(perRun)} B`,
      note: [
        cancels
          ? `${fmt(n)} runs asleep for ${fmt(sleep)} ms, all aborted, settled in ${fmt(ended)} ms`
          : `${fmt(n)} runs asleep for ${fmt(
              sleep
            )} ms, not aborted (its sleep cannot be cancelled): woke and succeeded`,
        ...(woke > 0 ? [`unreliable: ${fmt(woke)} runs ended before the reading`] : []),
        ...(left > 0 ? [`${left} timers left running`] : [])
      ].join('; ')
    })
    log(`pending: ${c.name} ${fmt(perRun)} bytes per sleeping retry${left > 0 ? `, ${left} timers left` : ''}`)
    await tick()
  }
}

// -------------------------------------------------------------------------------------
// 5. abort latency
// -------------------------------------------------------------------------------------

const abortOnce = async (
  sleeping: (delay: number, signal: AbortSignal) => () => Promise<unknown>,
  sleep: number
): Promise<number> => {
  const controller = new AbortController()
  let settledAt = 0
  const settled = (): void => {
    settledAt = now()
  }
  const run = sleeping(sleep, controller.signal)().then(settled, settled)
  await delay(5)
  const abortedAt = now()
  controller.abort()
  await run
  return settledAt - abortedAt
}

const abortLatency = async (): Promise<void> => {
  for (const c of contenders) {
    if (isNotApplicable(c.abort)) {
      notApplicable(c, 'abortLatency', c.abort.na, 'ms')
      continue
    }
    if (isNotApplicable(c.sleeping)) {
      notApplicable(c, 'abortLatency', c.sleeping.na, 'ms')
      continue
    }
    if (c.abort !== 'cancels') {
      const latency = await abortOnce(c.sleeping, settings.abortShortSleep)
      set(c, 'abortLatency', {
        value: latency,
        unit: 'ms',
        text: `${fmt(latency)} ms`,
        note: `${c.abort.afterSleep} (measured with a ${settings.abortShortSleep} ms sleep, aborted after 5 ms)`
      })
      continue
    }
    const samples: Array<number> = []
    for (let i = 0; i < settings.abortSamples; i++) {
      samples.push(await abortOnce(c.sleeping, LONG_SLEEP))
    }
    const value = median(samples)
    set(c, 'abortLatency', {
      value,
      unit: 'ms',
      text: value < 1 ? `${fmt(value * 1000)} µs` : `${sig(value)} ms`,
      note: `median of ${samples.length}, max ${sig(Math.max(...samples) * 1000)} µs`
    })
    log(`abort: ${c.name} ${sig(value * 1000)} µs`)
  }
}

// -------------------------------------------------------------------------------------
// 6. bundle size
// -------------------------------------------------------------------------------------

const bundles = async (): Promise<void> => {
  const resolveDir = path.join(__dirname, 'bench')
  // schedule-ts is measured as published: built, packed, installed from the tarball, imported by module
  const packed = packedProject()
  const builds: Array<Promise<void>> = []
  for (const c of contenders) {
    const published = c.package === 'schedule-ts'
    const entry = published ? policyEntries.modules : c.bundle
    if (isNotApplicable(entry)) {
      notApplicable(c, 'bundle', entry.na, 'bytes')
      notApplicable(c, 'bundleFpTsExternal', entry.na, 'bytes')
      continue
    }
    for (const [column, external] of [
      ['bundle', false],
      ['bundleFpTsExternal', true]
    ] as const) {
      builds.push(
        bundleSize(entry, published ? packed : resolveDir, external).then((size) =>
          set(c, column, {
            value: size.gzipped,
            unit: 'bytes gzipped',
            text: size.gzipped >= 10_240 ? `${fmt(size.gzipped / 1024, 0)} KB` : `${fmt(size.gzipped / 1024, 2)} KB`,
            note: `${fmt(size.gzipped)} bytes gzipped, ${fmt(size.minified)} bytes minified${
              published ? ', from the packed tarball' : ''
            }`
          })
        )
      )
    }
  }
  try {
    await Promise.all(builds)
  } finally {
    fs.rmSync(packed, { recursive: true, force: true })
  }
}

// -------------------------------------------------------------------------------------
// output
// -------------------------------------------------------------------------------------

const computeRatios = (): void => {
  const reference = results.get('schedule-ts') as Partial<Record<Column, Cell>>
  for (const { key, ratio } of columns) {
    const base = reference[key]?.value
    if (!ratio || base === null || base === undefined) continue
    if (reference[key]?.flat === true) continue
    for (const row of results.values()) {
      const cell = row[key]
      if (cell !== undefined && cell.value !== null && base !== 0) {
        cell.ratio = cell.value / base
      }
    }
  }
}

const ratioText = (ratio: number): string =>
  `${ratio >= 100 ? fmt(ratio) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}x`

const table = (): string => {
  const notes: Array<string> = []
  const mark = (note: string): string => {
    const i = notes.indexOf(note)
    return `[${(i === -1 ? notes.push(note) : i + 1).toString()}]`
  }
  const header = ['library', 'version', ...columns.map((c) => c.title)]
  const rows = contenders.map((c) => {
    const row = results.get(c.name) as Partial<Record<Column, Cell>>
    return [
      c.name,
      versionOf(c),
      ...columns.map(({ key, ratio }) => {
        const cell = row[key]
        if (cell === undefined) return '-'
        const shown = ratio && cell.ratio !== null ? `${cell.text} (${ratioText(cell.ratio)})` : cell.text
        // the notes that matter for reading a cell: why n/a, how approximated, how noisy, what went wrong
        const footnote =
          cell.note !== undefined &&
          c.package !== undefined &&
          (cell.value === null ||
            cell.approximate === true ||
            key === 'abortLatency' ||
            key === 'happyPathVsBare' ||
            /unreliable|left running/.test(cell.note))
            ? ` ${mark(`${c.name}, ${columns.find((col) => col.key === key)?.title}: ${cell.note}`)}`
            : ''
        return shown + footnote
      })
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: ReadonlyArray<string>): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
    ...notes.map((note, i) => `[${i + 1}] ${note}`)
  ].join('\n')
}

const machine = (): string =>
  `node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${
    os.cpus().length
  } cores, ${os.platform()} ${os.arch()}`

const main = async (): Promise<void> => {
  const started = now()
  if (!gcExposed) {
    log('warning: started without --expose-gc; using a run-time fallback (run it with `npm run bench`)')
  }
  log(`${quick ? 'quick' : 'full'} run on ${machine()}`)
  const loadStart = now()
  const loaded = await load()
  log(`bundling and loading the contenders: ${fmt((now() - loadStart) / 1000, 1)} s`)
  contenders = loaded.contenders
  isNotApplicable = loaded.isNotApplicable
  for (const c of contenders) results.set(c.name, {})
  for (const [name, phase] of [
    ['happy path', happyPath],
    ['zero-delay retries', zeroDelay],
    ['100k retries', bigRun],
    ['heap while stepping', stepHeap],
    ['heap per pending retry', pendingHeap],
    ['abort latency', abortLatency],
    ['bundle size', bundles]
  ] as const) {
    const phaseStart = now()
    await phase()
    log(`${name}: ${fmt((now() - phaseStart) / 1000, 1)} s`)
  }
  computeRatios()
  const telemetryTable = asJson ? '' : await telemetry(quick, log)
  // what the live clock's now() costs, which a call that reads the clock pays on top of the bare call
  const clock = clockReads()
  const clockLine = `clock read: performance.now() ${sig(clock.performanceNow)} ns, Date.now() ${sig(clock.dateNow)} ns`
  log(clockLine)
  const timersLeft = activeTimers()
  if (timersLeft > 0) {
    log(`warning: ${timersLeft} timers still active at the end`)
  }
  log(`done in ${fmt((now() - started) / 1000, 1)} s`)
  if (asJson) {
    const rows = contenders.map((c) => ({
      library: c.name,
      version: versionOf(c),
      policy: c.policy,
      ...results.get(c.name)
    }))
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
  } else {
    process.stdout.write(
      `${quick ? 'quick' : 'full'} run, ${machine()}\n${clockLine}\n\n${table()}\n\n${telemetryTable}\n`
    )
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
