/**
 * Measuring helpers for the benchmark: timing, medians, forced garbage collection and heap readings,
 * and a check that nothing is left running.
 */
import * as v8 from 'v8'
import * as vm from 'vm'

/** Milliseconds on a monotonic clock. */
export const now = (): number => performance.now()

/** The `q`-quantile of `xs` (0.5: the median), interpolating between the two nearest samples. */
export const quantile = (xs: ReadonlyArray<number>, q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  const high = Math.ceil(at)
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low)
}

export const median = (xs: ReadonlyArray<number>): number => quantile(xs, 0.5)

/** Resolves after `ms` milliseconds on a real timer. */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves after the current macrotask: lets timers, I/O and settled promises run. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

const resolveGc = (): { readonly gc: () => void; readonly exposed: boolean } => {
  const global = globalThis as { gc?: () => void }
  if (typeof global.gc === 'function') {
    return { gc: global.gc, exposed: true }
  }
  // fallback when node was started without --expose-gc: the flag can still be turned on at run time
  v8.setFlagsFromString('--expose-gc')
  return { gc: vm.runInNewContext('gc') as () => void, exposed: false }
}

const collector = resolveGc()

/** Whether node was started with `--expose-gc` (the fallback works too, but the flag is the supported way). */
export const gcExposed = collector.exposed

/** Collects garbage (twice: finalizers and weak references can free more) and returns the bytes in use. */
export const settledHeap = async (): Promise<number> => {
  collector.gc()
  await tick()
  collector.gc()
  return v8.getHeapStatistics().used_heap_size
}

/** Forces one full collection, without waiting. */
export const collect = (): void => collector.gc()

/**
 * Times `run` in isolation from what ran before: a full collection first, so that no other
 * contender's garbage is collected on this one's time, then an untimed run, so that code the
 * collection flushed is compiled again and the young generation has grown back to its working size.
 * Without it, the peers' figures moved 2-5x with the order they ran in.
 */
export const isolated = async (run: () => Promise<number>): Promise<number> => {
  collect()
  await run()
  return run()
}

/** Timers and immediates currently keeping the event loop alive. */
export const activeTimers = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length

/** Formats a number with thousands separators and at most `digits` decimals. */
export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

/** Formats a number with about three significant digits. */
export const sig = (n: number): string => {
  const abs = Math.abs(n)
  return abs >= 100 ? fmt(n, 0) : abs >= 10 ? fmt(n, 1) : abs >= 1 ? fmt(n, 2) : fmt(n, 3)
}
