import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Clock, live } from '../src/Clock'
import { abortListeners, nextTurn, track, watchTimers } from './helpers'

const MAX_TIMEOUT = 2 ** 31 - 1

const realSetTimeout = globalThis.setTimeout

/**
 * Every real timer set during a test: the delays asked for, the handles, and those still pending.
 * (Fake timers replace these spies while they are installed, so a test using them checks `vi.getTimerCount()`.)
 */
let timers: ReturnType<typeof watchTimers>

const wait = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms))

beforeEach(() => {
  timers = watchTimers()
})

afterEach(() => {
  vi.useRealTimers()
  const pending = timers.pending.size
  vi.restoreAllMocks()
  // no timer of ours is left behind by any test
  expect(pending).toBe(0)
})

describe('Clock', () => {
  it('is an interface any object with now and sleep satisfies', async () => {
    let time = 0
    const instant: Clock = {
      now: () => time,
      sleep: (ms) => {
        time += ms
        return Promise.resolve()
      }
    }
    await instant.sleep(250)
    expect(instant.now()).toBe(250)
  })
})

describe('live.now', () => {
  it('is performance.timeOrigin + performance.now(): epoch milliseconds', () => {
    const before = performance.timeOrigin + performance.now()
    const now = live.now()
    const after = performance.timeOrigin + performance.now()
    expect(now).toBeGreaterThanOrEqual(before)
    expect(now).toBeLessThanOrEqual(after)
    // a date, not a time from an arbitrary origin: performance.now() alone is decades away from Date.now()
    expect(Math.abs(now - Date.now())).toBeLessThan(60 * 60 * 1000)
  })

  it('never goes backwards', () => {
    let previous = live.now()
    let backwards = 0
    for (let i = 0; i < 10_000; i++) {
      const now = live.now()
      if (now < previous) backwards++
      previous = now
    }
    expect(backwards).toBe(0)
  })

  it('does not follow the wall clock when it jumps back', async () => {
    const first = live.now()
    vi.spyOn(Date, 'now').mockReturnValue(0)
    await wait(5)
    expect(live.now()).toBeGreaterThan(first)
  })
})

describe('live.sleep', () => {
  it('resolves sleep(0) without a timer', async () => {
    const promise = live.sleep(0)
    expect(timers.pending.size).toBe(0)
    await expect(promise).resolves.toBeUndefined()
    expect(timers.delays).toEqual([])
  })

  it('resolves sleep(0) with a live signal without adding a listener', async () => {
    const controller = new AbortController()
    await live.sleep(0, controller.signal)
    expect(abortListeners(controller.signal)).toBe(0)
    expect(timers.delays).toEqual([])
  })

  it('really waits, by its own now()', async () => {
    const start = live.now()
    await live.sleep(20)
    expect(live.now() - start).toBeGreaterThanOrEqual(20)
    // one timer for the whole delay, and another for what is left when that one fired early
    expect(timers.delays[0]).toBe(20)
    expect(timers.delays.length).toBeLessThanOrEqual(2)
    expect(timers.delays.slice(1).every((ms) => ms !== undefined && ms > 0 && ms <= 20)).toBe(true)
  })

  describe('when a timer fires before its time', () => {
    // the time and the timers are driven by hand: `fire` runs the timer set last, whatever the time says
    const manual = (origin: number) => {
      const clock = { time: origin, delays: [] as Array<number | undefined>, callbacks: [] as Array<() => void> }
      vi.spyOn(performance, 'now').mockImplementation(() => clock.time - performance.timeOrigin)
      vi.mocked(globalThis.setTimeout).mockImplementation(((callback: () => void, ms?: number) => {
        clock.delays.push(ms)
        clock.callbacks.push(callback)
        return { ref: () => undefined } as unknown as NodeJS.Timeout
      }) as typeof setTimeout)
      const fire = (): void => (clock.callbacks.pop() as () => void)()
      return { clock, fire }
    }

    it('sets a timer again for what is left, rounded up, and resolves only when now() has advanced by ms', async () => {
      const { clock, fire } = manual(Date.UTC(2025, 2, 28, 7, 59, 59, 980))
      const state = track(live.sleep(20))
      expect(clock.delays).toEqual([20])
      clock.time += 19.4
      fire()
      await nextTurn()
      expect(state.settled).toBe(false)
      expect(clock.delays).toEqual([20, 1])
      clock.time += 0.6
      fire()
      await nextTurn()
      expect(state).toEqual({ settled: true, value: undefined })
      expect(clock.callbacks).toEqual([])
      expect(live.now()).toBe(Date.UTC(2025, 2, 28, 8))
    })

    it('does so for a sleep in chunks too', async () => {
      const { clock, fire } = manual(Date.UTC(2025, 0, 1))
      const controller = new AbortController()
      const state = track(live.sleep(MAX_TIMEOUT + 10, controller.signal))
      expect(clock.delays).toEqual([MAX_TIMEOUT])
      clock.time += MAX_TIMEOUT - 0.5
      fire()
      expect(clock.delays).toEqual([MAX_TIMEOUT, 11])
      clock.time += 11
      fire()
      await nextTurn()
      expect(state).toEqual({ settled: true, value: undefined })
      expect(abortListeners(controller.signal)).toBe(0)
    })

    it('clears the timer set again when aborted', async () => {
      const { clock, fire } = manual(0)
      const cleared: Array<unknown> = []
      vi.mocked(globalThis.clearTimeout).mockImplementation((handle) => {
        cleared.push(handle)
      })
      const controller = new AbortController()
      const state = track(live.sleep(50, controller.signal))
      clock.time += 49
      fire()
      expect(clock.delays).toEqual([50, 1])
      controller.abort('stop')
      await nextTurn()
      expect(state).toEqual({ settled: true, error: 'stop' })
      expect(cleared).toHaveLength(1)
      expect(abortListeners(controller.signal)).toBe(0)
    })
  })

  it('does not resolve before its time', async () => {
    const state = track(live.sleep(40))
    await wait(10)
    expect(state.settled).toBe(false)
    await wait(40)
    expect(state).toEqual({ settled: true, value: undefined })
  })

  it('keeps one timer while it sleeps and none afterwards', async () => {
    const promise = live.sleep(10)
    expect(timers.pending.size).toBe(1)
    await promise
    expect(timers.pending.size).toBe(0)
  })

  it('does not unref its timer', async () => {
    const promise = live.sleep(5)
    expect(timers.handles).toHaveLength(1)
    expect(timers.handles[0].hasRef()).toBe(true)
    await promise
  })

  it.each([
    ['NaN', NaN, RangeError],
    ['a negative number', -1, RangeError],
    ['-Infinity', -Infinity, RangeError],
    ['Infinity', Infinity, RangeError],
    ['a string', '5' as unknown as number, TypeError],
    ['undefined', undefined as unknown as number, TypeError]
  ])('rejects %s with a RangeError (a TypeError when not a number) naming Clock.sleep and ms', async (_, ms, type) => {
    let promise: Promise<void> | undefined
    expect(() => {
      promise = live.sleep(ms)
    }).not.toThrow()
    await expect(promise).rejects.toThrow(type)
    await expect(promise).rejects.toThrow(/^Clock\.sleep: ms must be a finite non-negative number/)
    expect(timers.delays).toEqual([])
  })

  it('validates before it looks at the signal', async () => {
    const controller = new AbortController()
    controller.abort('stop')
    await expect(live.sleep(-1, controller.signal)).rejects.toThrow(RangeError)
  })

  it('accepts a fractional delay', async () => {
    await expect(live.sleep(0.5)).resolves.toBeUndefined()
  })

  describe('with an AbortSignal', () => {
    it('rejects at once with the reason when the signal is already aborted', async () => {
      const controller = new AbortController()
      const reason = new Error('gone')
      controller.abort(reason)
      const state = track(live.sleep(1_000, controller.signal))
      await Promise.resolve()
      await Promise.resolve()
      expect(state).toEqual({ settled: true, error: reason })
      expect(timers.delays).toEqual([])
      expect(abortListeners(controller.signal)).toBe(0)
    })

    it('rejects sleep(0) too when the signal is already aborted', async () => {
      const controller = new AbortController()
      controller.abort('stop')
      await expect(live.sleep(0, controller.signal)).rejects.toBe('stop')
    })

    it('rejects with the default AbortError reason', async () => {
      const controller = new AbortController()
      const promise = live.sleep(1_000, controller.signal)
      controller.abort()
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBe(controller.signal.reason)
      expect((error as Error).name).toBe('AbortError')
    })

    it('rejects with the reason, clears its timer and removes its listener when aborted', async () => {
      const controller = new AbortController()
      const state = track(live.sleep(10_000, controller.signal))
      expect(abortListeners(controller.signal)).toBe(1)
      expect(timers.pending.size).toBe(1)
      controller.abort('stop')
      expect(timers.pending.size).toBe(0)
      expect(abortListeners(controller.signal)).toBe(0)
      await nextTurn()
      expect(state).toEqual({ settled: true, error: 'stop' })
    })

    it('removes its listener when it completes', async () => {
      const controller = new AbortController()
      const promise = live.sleep(5, controller.signal)
      expect(abortListeners(controller.signal)).toBe(1)
      await promise
      expect(abortListeners(controller.signal)).toBe(0)
      // a later abort has nothing left to reject
      controller.abort('late')
      await expect(promise).resolves.toBeUndefined()
    })

    it('rejects every sleep sharing the signal', async () => {
      const controller = new AbortController()
      const sleeps = [live.sleep(1_000, controller.signal), live.sleep(2_000, controller.signal)]
      // the sleeps share one listener on the signal
      expect(abortListeners(controller.signal)).toBe(1)
      controller.abort('all')
      await expect(Promise.all(sleeps.map((p) => p.catch((e: unknown) => e)))).resolves.toEqual(['all', 'all'])
      expect(abortListeners(controller.signal)).toBe(0)
    })

    it('removes the shared listener when the last sleep on the signal ends, and adds one again later', async () => {
      vi.useFakeTimers()
      const controller = new AbortController()
      const first = live.sleep(10, controller.signal)
      const second = live.sleep(20, controller.signal)
      expect(abortListeners(controller.signal)).toBe(1)
      await vi.advanceTimersByTimeAsync(10)
      await first
      expect(abortListeners(controller.signal)).toBe(1)
      await vi.advanceTimersByTimeAsync(10)
      await second
      expect(abortListeners(controller.signal)).toBe(0)
      const third = live.sleep(5, controller.signal)
      expect(abortListeners(controller.signal)).toBe(1)
      await vi.advanceTimersByTimeAsync(5)
      await third
      expect(abortListeners(controller.signal)).toBe(0)
    })

    it('stops a sleep longer than a timer can hold promptly, without resolving early', async () => {
      const controller = new AbortController()
      const state = track(live.sleep(2 ** 31 + 1_000, controller.signal))
      // a raw setTimeout with this delay would have fired after 1 ms
      await wait(50)
      expect(state.settled).toBe(false)
      expect(timers.pending.size).toBe(1)
      controller.abort('enough')
      expect(timers.pending.size).toBe(0)
      // promptly: settled on the next turn of the event loop, its only timer cleared by the abort
      await nextTurn()
      expect(state).toEqual({ settled: true, error: 'enough' })
      expect(timers.pending.size).toBe(0)
      expect(abortListeners(controller.signal)).toBe(0)
    })

    it('leaves no listener and raises no warning after 10,000 sequential sleeps on one signal', async () => {
      vi.useFakeTimers()
      const warnings: Array<Error> = []
      const onWarning = (warning: Error) => warnings.push(warning)
      process.on('warning', onWarning)
      try {
        const controller = new AbortController()
        let most = 0
        for (let i = 0; i < 10_000; i++) {
          const promise = live.sleep(1, controller.signal)
          most = Math.max(most, abortListeners(controller.signal))
          await vi.advanceTimersByTimeAsync(1)
          await promise
        }
        expect(vi.getTimerCount()).toBe(0)
        vi.useRealTimers()
        await nextTurn()
        expect(most).toBe(1)
        expect(abortListeners(controller.signal)).toBe(0)
        expect(warnings).toEqual([])
      } finally {
        process.off('warning', onWarning)
      }
    })

    it('clears its timer and listener on each of 10,000 sequential aborts', async () => {
      vi.useFakeTimers()
      let leftovers = 0
      let last: unknown
      for (let i = 0; i < 10_000; i++) {
        const controller = new AbortController()
        const promise = live.sleep(1_000, controller.signal)
        controller.abort(i)
        last = await promise.catch((e: unknown) => e)
        leftovers += vi.getTimerCount() + abortListeners(controller.signal)
      }
      expect(last).toBe(9_999)
      expect(leftovers).toBe(0)
    })
  })

  describe('past the 32-bit timer limit', () => {
    // the fake timers, like Node, fire a timer set beyond 2^31 - 1 ms after 1 ms

    it('waits the whole time, in chunks a timer can hold', async () => {
      vi.useFakeTimers()
      const ms = 2 ** 31 + 1_000
      const state = track(live.sleep(ms))
      await vi.advanceTimersByTimeAsync(1)
      expect(state.settled).toBe(false)
      await vi.advanceTimersByTimeAsync(MAX_TIMEOUT - 1)
      expect(state.settled).toBe(false)
      expect(vi.getTimerCount()).toBe(1)
      await vi.advanceTimersByTimeAsync(ms - MAX_TIMEOUT - 1)
      expect(state.settled).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      expect(state).toEqual({ settled: true, value: undefined })
      expect(vi.getTimerCount()).toBe(0)
    })

    it('waits exactly 2^31 - 1 ms in one timer', async () => {
      vi.useFakeTimers()
      const state = track(live.sleep(MAX_TIMEOUT))
      await vi.advanceTimersByTimeAsync(MAX_TIMEOUT - 1)
      expect(state.settled).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      expect(state.settled).toBe(true)
      expect(vi.getTimerCount()).toBe(0)
    })

    it('chains as many chunks as it needs', async () => {
      vi.useFakeTimers()
      const ms = 3 * MAX_TIMEOUT + 7
      const state = track(live.sleep(ms))
      await vi.advanceTimersByTimeAsync(ms - 1)
      expect(state.settled).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      expect(state.settled).toBe(true)
    })

    it('sets real timers of at most 2^31 - 1 ms', async () => {
      const controller = new AbortController()
      const promise = live.sleep(3 * MAX_TIMEOUT + 7, controller.signal).catch(() => undefined)
      controller.abort()
      await promise
      expect(timers.delays).toEqual([MAX_TIMEOUT])
    })

    it('can be aborted during a later chunk', async () => {
      vi.useFakeTimers()
      const controller = new AbortController()
      const state = track(live.sleep(2 * MAX_TIMEOUT, controller.signal))
      await vi.advanceTimersByTimeAsync(MAX_TIMEOUT + 10)
      expect(state.settled).toBe(false)
      expect(vi.getTimerCount()).toBe(1)
      controller.abort('late')
      await vi.advanceTimersByTimeAsync(0)
      expect(state).toEqual({ settled: true, error: 'late' })
      expect(vi.getTimerCount()).toBe(0)
      expect(abortListeners(controller.signal)).toBe(0)
    })
  })
})
