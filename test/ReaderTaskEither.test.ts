import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as RTE from 'fp-ts/ReaderTaskEither'
import * as TE from 'fp-ts/TaskEither'
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as Retry from '../src/ReaderTaskEither'
import * as S from '../src/Schedule'
import type { AttemptTimeout, Interrupted } from '../src/TaskEither'
import * as TestClock from '../src/TestClock'

interface Env {
  readonly name: string
  readonly failures: number
}

/** Fails `env.failures` times, recording the environment each attempt saw. */
const make = () => {
  const seen: Array<Env> = []
  const fa: RTE.ReaderTaskEither<Env, string, string> = (env) => () => {
    seen.push(env)
    return Promise.resolve(seen.length <= env.failures ? E.left(`fail ${seen.length}`) : E.right(`hello ${env.name}`))
  }
  return { fa, seen }
}

describe('ReaderTaskEither', () => {
  it('retry passes the environment to every attempt', async () => {
    const { fa, seen } = make()
    const env: Env = { name: 'a', failures: 2 }
    expect(await pipe(fa, Retry.retry(S.recurs(5)))(env)()).toEqual(E.right('hello a'))
    expect(seen).toEqual([env, env, env])
  })

  it('retry ends with the last Left', async () => {
    const { fa, seen } = make()
    expect(await pipe(fa, Retry.retry(S.recurs(2)))({ name: 'b', failures: 9 })()).toEqual(E.left('fail 3'))
    expect(seen).toHaveLength(3)
  })

  it('retryOrElse hands the last error and status to the fallback', async () => {
    const { fa } = make()
    const program = pipe(
      fa,
      Retry.retryOrElse(S.recurs(1), (e: string, status) => TE.right(`${e} / ${status.attempts}`))
    )
    expect(await program({ name: 'c', failures: 9 })()).toEqual(E.right('fail 2 / 2'))
  })

  it('retryK binds the arguments per call', async () => {
    const greet = (greeting: string): RTE.ReaderTaskEither<Env, string, string> =>
      pipe(
        make().fa,
        RTE.map((s) => `${greeting}: ${s}`)
      )
    const withRetry = Retry.retryK(S.recurs(3))(greet)
    expectTypeOf(withRetry).toEqualTypeOf<(greeting: string) => RTE.ReaderTaskEither<Env, string, string>>()
    expect(await withRetry('hi')({ name: 'd', failures: 1 })()).toEqual(E.right('hi: hello d'))
  })

  it('retryWithContext sees the environment, the attempt number and a signal', async () => {
    const seen: Array<[number, string]> = []
    const program = Retry.retryWithContext(S.recurs(3))(({ attempt, signal }) => (env: Env) => {
      seen.push([attempt, env.name])
      expect(signal.aborted).toBe(false)
      return attempt <= env.failures ? TE.left('busy') : TE.right(attempt)
    })
    expect(await program({ name: 'e', failures: 2 })()).toEqual(E.right(3))
    expect(seen).toEqual([
      [1, 'e'],
      [2, 'e'],
      [3, 'e']
    ])
  })

  it('repeat passes the environment to every run and returns the last value', async () => {
    let total = 0
    const add: RTE.ReaderTaskEither<{ readonly step: number }, string, number> = (env) => () =>
      Promise.resolve(E.right((total += env.step)))
    expect(await pipe(add, Retry.repeat(S.recurs(3)))({ step: 2 })()).toEqual(E.right(8))
  })

  it('options work the same as for TaskEither: clock, signal and attempt timeout', async () => {
    const clock = TestClock.make()
    const { fa } = make()
    const result = pipe(
      fa,
      Retry.retry(pipe(S.exponential(100), S.maxRetries(3)), { clock })
    )({ name: 'f', failures: 9 })()
    await clock.runAll()
    expect(await result).toEqual(E.left('fail 4'))
    expect(clock.sleeps).toEqual([100, 200, 400])

    const controller = new AbortController()
    controller.abort()
    const aborted = pipe(fa, Retry.retry(S.recurs(3), { signal: controller.signal }))
    expectTypeOf(aborted).toEqualTypeOf<RTE.ReaderTaskEither<Env, string | Interrupted<string>, string>>()
    expect(await aborted({ name: 'g', failures: 0 })()).toEqual(E.left({ _tag: 'Interrupted', lastError: O.none }))

    const timed = pipe(fa, Retry.retry(S.recurs(1), { attemptTimeout: 1000 }))
    expectTypeOf(timed).toEqualTypeOf<RTE.ReaderTaskEither<Env, string | AttemptTimeout, string>>()
    expect(await timed({ name: 'h', failures: 0 })()).toEqual(E.right('hello h'))
  })

  it('validates like TaskEither', () => {
    expect(() => Retry.retry(S.recurs(1), { attemptTimeout: -1 })).toThrow(/^ReaderTaskEither.retry: attemptTimeout/)
    expect(() => Retry.retryOrElse(S.recurs(1), 'x' as never)).toThrow(/^ReaderTaskEither.retryOrElse: orElse must be/)
    expect(() => Retry.repeat(S.recurs(1), { onRepeat: 1 as never })).toThrow(
      /^ReaderTaskEither.repeat: onRepeat must be/
    )
    expect(() => Retry.repeat({} as never)).toThrow(/^ReaderTaskEither.repeat: schedule must be a Schedule/)
    expect(() => Retry.retryK(S.recurs(1))('x' as never)).toThrow(/ReaderTaskEither.retryK: f must be a function/)
    expect(() => Retry.retryWithContext(S.recurs(1))('x' as never)).toThrow(
      /ReaderTaskEither.retryWithContext: f must be a function/
    )
  })
})
