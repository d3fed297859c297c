/**
 * Helpers shared by the tests: leak checks scoped to what a test creates (timers, immediates,
 * sockets, servers, unhandled rejections), settling probes, and one-line forms of the simulations
 * the schedule tests assert on.
 *
 * A leak check here sees only what the test created after it started watching, never another
 * file's or vitest's own resources: none of them counts `process.getActiveResourcesInfo()`, which is
 * process-wide and can fail by chance on a loaded machine.
 */
import * as diagnostics from 'node:diagnostics_channel'
import { getEventListeners } from 'node:events'
import * as net from 'node:net'
import { pipe } from 'fp-ts/function'
import type { Either } from 'fp-ts/Either'
import type { TaskEither } from 'fp-ts/TaskEither'
import { vi } from 'vitest'
import * as S from '../src/Schedule'

// -------------------------------------------------------------------------------------
// settling
// -------------------------------------------------------------------------------------

/** How many `abort` listeners a signal holds. */
export const abortListeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length

/** One turn of the event loop: pending promise chains and immediates run. */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve))

/** Tracks whether a promise has settled, without letting a rejection go unhandled. */
export const track = <A>(promise: Promise<A>) => {
  const state: { settled: boolean; value?: A; error?: unknown } = { settled: false }
  promise.then(
    (value) => {
      state.settled = true
      state.value = value
    },
    (error: unknown) => {
      state.settled = true
      state.error = error
    }
  )
  return state
}

/**
 * Polls `condition` every 5 ms until it holds or `within` ms have passed (bounded: never hangs).
 * For what the operating system finishes on its own time (a socket closing); the caller asserts
 * the condition afterwards, so running out of time fails the test instead of passing it.
 */
export const until = async (condition: () => boolean, within = 2000): Promise<void> => {
  const deadline = performance.now() + within
  while (!condition() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

// -------------------------------------------------------------------------------------
// leaks
// -------------------------------------------------------------------------------------

/**
 * Watches the real timers set from now on, by spying on `setTimeout` and `clearTimeout` until the
 * test's mocks are restored: `pending` holds those neither fired nor cleared, `delays` every delay
 * asked for, `handles` every handle returned, and `keepingAlive()` counts the pending ones that
 * keep the process alive (a library's `unref`ed housekeeping timer does not).
 */
export const watchTimers = () => {
  const realSetTimeout = globalThis.setTimeout
  const realClearTimeout = globalThis.clearTimeout
  const watched = {
    delays: [] as Array<number | undefined>,
    handles: [] as Array<NodeJS.Timeout>,
    pending: new Set<unknown>(),
    keepingAlive: (): number => watched.handles.filter((h) => watched.pending.has(h) && h.hasRef()).length
  }
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
    callback: (...args: Array<unknown>) => void,
    ms?: number,
    ...args: Array<unknown>
  ) => {
    const handle = realSetTimeout(() => {
      watched.pending.delete(handle)
      callback(...args)
    }, ms)
    watched.delays.push(ms)
    watched.handles.push(handle)
    watched.pending.add(handle)
    return handle
  }) as typeof setTimeout)
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation((handle) => {
    watched.pending.delete(handle)
    realClearTimeout(handle)
  })
  return watched
}

/**
 * Watches the immediates set from now on, the same way: `pending` holds those neither run nor
 * cleared. (`nextTurn` sets one too, and it has run by the time its promise resolves.)
 */
export const watchImmediates = () => {
  const realSetImmediate = globalThis.setImmediate
  const realClearImmediate = globalThis.clearImmediate
  const watched = { pending: new Set<unknown>(), count: 0 }
  vi.spyOn(globalThis, 'setImmediate').mockImplementation(((
    callback: (...args: Array<unknown>) => void,
    ...args: Array<unknown>
  ) => {
    const handle = realSetImmediate(() => {
      watched.pending.delete(handle)
      callback(...args)
    })
    watched.count++
    watched.pending.add(handle)
    return handle
  }) as typeof setImmediate)
  vi.spyOn(globalThis, 'clearImmediate').mockImplementation((handle) => {
    watched.pending.delete(handle)
    realClearImmediate(handle)
  })
  return watched
}

/**
 * Watches the TCP sockets opened from now on (client side, by `node:http`, `fetch` or `net`, and
 * server side, each accepted connection) and the servers that start listening, until `stop()`.
 * `open()` counts those sockets not yet destroyed and those servers still listening.
 */
export const watchNetwork = () => {
  const sockets = new Set<net.Socket>()
  const servers = new Set<net.Server>()
  const onSocket = (message: unknown): void => {
    sockets.add((message as { readonly socket: net.Socket }).socket)
  }
  diagnostics.subscribe('net.client.socket', onSocket)
  diagnostics.subscribe('net.server.socket', onSocket)
  const listen = net.Server.prototype.listen
  vi.spyOn(net.Server.prototype, 'listen').mockImplementation(function (this: net.Server, ...args: Array<unknown>) {
    servers.add(this)
    return (listen as (...a: Array<unknown>) => net.Server).apply(this, args)
  })
  return {
    /** Sockets opened so far, open or not. */
    sockets: (): number => sockets.size,
    open: () => ({
      sockets: [...sockets].filter((socket) => !socket.destroyed).length,
      servers: [...servers].filter((server) => server.listening).length
    }),
    stop: (): void => {
      diagnostics.unsubscribe('net.client.socket', onSocket)
      diagnostics.unsubscribe('net.server.socket', onSocket)
    }
  }
}

/** Counts unhandled rejections and process warnings until `stop()`. */
export const watchProcess = () => {
  const unhandled: Array<unknown> = []
  const warnings: Array<string> = []
  const onRejection = (reason: unknown): void => {
    unhandled.push(reason)
  }
  const onWarning = (warning: Error): void => {
    warnings.push(`${warning.name}: ${warning.message}`)
  }
  process.on('unhandledRejection', onRejection)
  process.on('warning', onWarning)
  return {
    unhandled: (): ReadonlyArray<unknown> => unhandled,
    warnings: (): ReadonlyArray<string> => warnings,
    stop: (): void => {
      process.off('unhandledRejection', onRejection)
      process.off('warning', onWarning)
    }
  }
}

/**
 * Everything a test over real sockets could leave behind, watched from now on: timers, sockets,
 * listening servers, unhandled rejections and warnings. `leftBehind()` waits (bounded) for closed
 * sockets to finish closing, stops watching and returns what is still there: all zeros and empty
 * lists when the test cleaned up. Call it after the test closed its servers and agents, before the
 * mocks are restored.
 */
export const watchLeaks = () => {
  const timers = watchTimers()
  const network = watchNetwork()
  const process = watchProcess()
  return {
    timers,
    network,
    leftBehind: async () => {
      const clean = (): boolean => {
        const open = network.open()
        return timers.keepingAlive() === 0 && open.sockets === 0 && open.servers === 0
      }
      await until(clean)
      // one more turn: a rejection left unhandled is reported after the microtasks of its turn
      await nextTurn()
      network.stop()
      process.stop()
      return {
        timers: timers.keepingAlive(),
        ...network.open(),
        unhandled: process.unhandled(),
        warnings: process.warnings()
      }
    }
  }
}

/** What `watchLeaks().leftBehind()` returns when nothing was left behind. */
export const nothingLeft = { timers: 0, sockets: 0, servers: 0, unhandled: [], warnings: [] }

// -------------------------------------------------------------------------------------
// schedules, in one line
// -------------------------------------------------------------------------------------

/**
 * `pipe(self, f)`, written `piped(self)(f)`: prettier keeps it on one line inside an assertion,
 * where it lays `pipe(self, S.addDelay((n) => n * 100))` over four, since one of its arguments takes
 * a function.
 */
export const piped =
  <A>(self: A) =>
  <B>(f: (self: A) => B): B =>
    f(self)

type Steps<In> = number | S.SimulationOptions<In>

const simulated = <In, Out>(schedule: S.Schedule<In, Out>, steps: Steps<In>) =>
  pipe(schedule, S.simulate(typeof steps === 'number' ? { steps } : steps))

/** The delays `simulate` gives for `steps` decisions (a number, or all of `simulate`'s options). */
export const delaysOf = <In, Out>(schedule: S.Schedule<In, Out>, steps: Steps<In>): ReadonlyArray<number> =>
  simulated(schedule, steps).map((step) => step.delay)

/** The outputs `simulate` gives for `steps` decisions (a number, or all of `simulate`'s options). */
export const outputsOf = <In, Out>(schedule: S.Schedule<In, Out>, steps: Steps<In>): ReadonlyArray<Out> =>
  simulated(schedule, steps).map((step) => step.output)

/**
 * The leak checks of a test of the runners: `timers` watches the timers the test sets, and
 * `leftBehind()`, after two turns of the event loop, says which are still pending and which
 * rejections went unhandled. Stricter than `watchLeaks` on timers: an unref'd timer counts too.
 */
export const watchRunner = () => {
  const timers = watchTimers()
  const watched = watchProcess()
  return {
    timers,
    leftBehind: async () => {
      await nextTurn()
      await nextTurn()
      watched.stop()
      return { timers: timers.pending.size, unhandled: watched.unhandled() }
    }
  }
}

/** A TaskEither that fails with the listed errors, in order, then succeeds with `value`; counts its calls. */
export const failing = <E, A>(errors: ReadonlyArray<E>, value: A) => {
  let calls = 0
  const fa: TaskEither<E, A> = () => {
    const i = calls++
    return Promise.resolve<Either<E, A>>(
      i < errors.length ? { _tag: 'Left', left: errors[i] } : { _tag: 'Right', right: value }
    )
  }
  return { fa, calls: () => calls }
}
