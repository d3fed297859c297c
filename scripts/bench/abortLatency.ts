/**
 * Phase 5, abort latency: how long a run asleep between attempts takes to settle once its signal
 * aborts (a library that cannot cancel its sleep settles when the sleep ends).
 */
import { delay, fmt, median, now, sig } from './measure'
import { LONG_SLEEP, type Phase } from './phase'

/** Starts a run that sleeps `sleep` ms, aborts it 5 ms later, and returns how long it took to settle (ms). */
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

export const abortLatency: Phase = async ({ settings, contenders, isNotApplicable, set, notApplicable, log }) => {
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
