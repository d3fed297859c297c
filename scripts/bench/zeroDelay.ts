/**
 * Phases 2 and 3, retries that do not wait: what one zero-delay retry costs (µs), and how long a run
 * of 100,000 of them takes.
 */
import type { Contender, Fails } from './contenders'
import { fmt, isolated, median, now, quantile, sig } from './measure'
import type { Phase } from './phase'

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

/**
 * Phase 2: what one zero-delay retry costs, the median of rounds run in turn; a library too slow for
 * the full count within the time budget is measured over fewer retries.
 */
export const zeroDelay: Phase = async ({ settings, contenders, isNotApplicable, set, notApplicable, log }) => {
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

/**
 * Phase 3: 100,000 zero-delay retries in one run, or as many as fit the time limit (the time is then
 * extrapolated); a library that crashes (a stack overflow) says so.
 */
export const bigRun: Phase = async ({ settings, contenders, isNotApplicable, set, notApplicable, log }) => {
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
