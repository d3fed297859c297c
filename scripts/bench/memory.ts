/**
 * Phase 4, memory: how the heap grows while a schedule is stepped a million times, and what each run
 * asleep between attempts holds.
 */
import { setMaxListeners } from 'events'
import { activeTimers, delay, fmt, now, settledHeap, sig, tick } from './measure'
import { LONG_SLEEP, type Phase } from './phase'

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

/** Phase 4a: how the heap grows while a schedule is stepped (a state that keeps history grows with it). */
export const stepHeap: Phase = async ({ settings, contenders, isNotApplicable, set, notApplicable, log }) => {
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

/** Phase 4b: the heap each run asleep between attempts holds, and whether aborting them leaves timers behind. */
export const pendingHeap: Phase = async ({
  settings,
  contenders,
  isNotApplicable,
  set,
  notApplicable,
  log,
  headline
}) => {
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
  // n runs asleep on one signal: the heap each holds, how long they take to settle once aborted
  const pending = async (
    build: (delay: number, signal: AbortSignal) => () => Promise<unknown>,
    cancels: boolean,
    sleep: number
  ) => {
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
    return {
      perRun: (after - before) / n - overhead,
      ended: now() - abortedAt,
      woke,
      left: activeTimers() - timersBefore
    }
  }
  for (const c of contenders) {
    if (isNotApplicable(c.sleeping)) {
      notApplicable(c, 'pendingHeap', c.sleeping.na, 'bytes')
      continue
    }
    const cancels = c.abort === 'cancels'
    const sleep = cancels ? LONG_SLEEP : settings.shortSleep
    const { perRun, ended, woke, left } = await pending(c.sleeping, cancels, sleep)
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
    if (c.sleepingRunnerPerCall !== undefined) {
      const perCall = await pending(c.sleepingRunnerPerCall, cancels, sleep)
      headline(
        `${c.name}, a runner built for each call (each brings its own signal): ${fmt(
          perCall.perRun
        )} B per pending retry`
      )
      await tick()
    }
  }
}
