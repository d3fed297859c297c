/**
 * Phase 1, the happy path: what a call that succeeds at once costs through each library, in ns per
 * call, and as a multiple of the bare call.
 */
import { bareName, floorName } from './contenders'
import { fmt, isolated, median, quantile } from './measure'
import type { Phase } from './phase'

type Batch = (call: () => Promise<unknown>, n: number) => Promise<number>

/**
 * A loop of `n` awaited calls, returning ns per call. Each contender gets its own copy, compiled from
 * source, so that its call site stays monomorphic as in an application that uses one library: with one
 * shared loop, the call site sees seven functions, goes megamorphic, and the fast contenders were
 * measured up to 2x slower next to the slow ones than alone.
 */
export const makeBatch = (): Batch =>
  new Function(
    'call',
    'n',
    `return (async () => {
      const start = performance.now()
      for (let i = 0; i < n; i++) await call()
      return ((performance.now() - start) * 1e6) / n
    })()`
  ) as Batch

/** The bounds of a batch's size, in calls. */
const MIN_CALLS = 1_000
const MAX_CALLS = 200_000
/** The batches that set a contender's batch size. */
const CALIBRATIONS = 5

export const happyPath: Phase = async ({ settings, contenders, set, log }) => {
  log('happy path: warming up')
  const calls = contenders.map((c) => ({ contender: c, call: c.happy(), batch: makeBatch(), n: 0 }))
  const bare = calls.find(({ contender }) => contender.name === bareName) as (typeof calls)[number]
  // a batch lasts about happyBatchMs whatever the contender: short batches of a fast call measured
  // mostly noise (10,000 calls of 70 ns, 0.7 ms, moved the ratio to the floor by several hundredths)
  for (const entry of calls) {
    await entry.batch(entry.call, settings.happyWarmup)
    // the fastest of a few more batches: right after the warm-up, collections and compilation still
    // make some batches several times slower than the call itself
    let warm = Infinity
    for (let i = 0; i < CALIBRATIONS; i++) {
      warm = Math.min(warm, await entry.batch(entry.call, settings.happyWarmup / CALIBRATIONS))
    }
    entry.n = Math.min(MAX_CALLS, Math.max(MIN_CALLS, Math.round((settings.happyBatchMs * 1e6) / warm)))
  }
  // the batches of each contender, and of the bare call right before each of them (as many calls)
  const own = new Map<string, Array<number>>(contenders.map((c) => [c.name, []]))
  const bareBefore = new Map<string, Array<number>>(contenders.map((c) => [c.name, []]))
  const others = calls.filter((c) => c !== bare)
  for (let round = 0; round < settings.happyRounds; round++) {
    for (let i = 0; i < others.length; i++) {
      const { contender, call, batch, n } = others[(i + round) % others.length]
      ;(bareBefore.get(contender.name) as Array<number>).push(await isolated(() => bare.batch(bare.call, n)))
      ;(own.get(contender.name) as Array<number>).push(await isolated(() => batch(call, n)))
    }
    log(`happy path: round ${round + 1}/${settings.happyRounds}`)
  }
  own.set(bare.contender.name, [...bareBefore.values()].flat())
  bareBefore.set(bare.contender.name, [...bareBefore.values()].flat())
  // noise on a shared machine only ever adds time, so the cost of a call is the best batch; the ratio
  // is to the best of the bare batches run right before this contender's, so both saw the same load
  // schedule-ts against the floor: any wrapper that looks at the result pays at least one then
  const floorSamples = own.get(floorName)
  const scheduleTs = own.get('schedule-ts')
  const vsFloor =
    floorSamples !== undefined && scheduleTs !== undefined
      ? `; ${(Math.min(...scheduleTs) / Math.min(...floorSamples)).toFixed(2)}x the one-then floor (best to best), ${(
          median(scheduleTs) / median(floorSamples)
        ).toFixed(2)}x median to median`
      : ''
  const size = (c: (typeof contenders)[number]): string =>
    c === bare.contender
      ? 'as many calls as the batch after each'
      : `${fmt((calls.find(({ contender }) => contender === c) as (typeof calls)[number]).n)} calls`
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
      note: `best of ${samples.length} batches of ${size(c)}; median ${fmt(median(samples))}, quartiles ${fmt(
        quantile(samples, 0.25)
      )}-${fmt(quantile(samples, 0.75))} ns`
    })
    set(c, 'happyPathVsBare', {
      value: ratio,
      unit: 'x bare',
      text: `${ratio.toFixed(2)}x`,
      note: `best to best; median to median ${typical.toFixed(2)}x${c.name === 'schedule-ts' ? vsFloor : ''}`
    })
  }
}
