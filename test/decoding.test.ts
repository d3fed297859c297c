import * as fc from 'fast-check'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import * as D from '../src/internal/decoding'

const root = (actual: unknown): t.Context => [{ key: '', type: t.unknown, actual }]

// the reference: optimal string alignment distance, computed in full
const fullDistance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => i + j * +(i === 0))
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
      }
    }
  }
  return d[a.length][b.length]
}

// the reference rule: the closest candidate (the first on a tie), if within a third of its length (at least 1)
const referenceClosest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  if (word.length > 64) {
    return undefined
  }
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = fullDistance(word.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined
}

const KNOWN = ['constant', 'exponential', 'maxRetries', 'maxElapsed', 'maxCumulativeDelay', 'cap', 'jitter']

describe('closest', () => {
  it('suggests typos, transpositions and case changes, and nothing that is far', () => {
    expect(D.closest('maxRetires', KNOWN)).toBe('maxRetries')
    expect(D.closest('MAXRETRIES', KNOWN)).toBe('maxRetries')
    expect(D.closest('cpa', KNOWN)).toBe('cap')
    expect(D.closest('exponentail', KNOWN)).toBe('exponential')
    expect(D.closest('retry', KNOWN)).toBeUndefined()
    expect(D.closest('', KNOWN)).toBeUndefined()
    expect(D.closest('maxRetries'.repeat(7), KNOWN)).toBeUndefined()
  })

  it('property: cutting the distance short gives the same suggestion as computing it in full', () => {
    const word = fc.oneof(
      fc.string({ maxLength: 24 }),
      fc
        .constantFrom(...KNOWN)
        .chain((key) =>
          fc
            .array(fc.tuple(fc.nat(key.length), fc.constantFrom('', 'x', 'A', 'e')), { maxLength: 4 })
            .map((edits) =>
              edits.reduce((w, [at, s]) => `${w.slice(0, at)}${s}${w.slice(at + (s === 'e' ? 0 : 1))}`, key)
            )
        )
    )
    const candidates = fc.oneof(
      fc.constant(KNOWN),
      fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 6 })
    )
    fc.assert(
      fc.property(word, candidates, (w, cs) => {
        expect(D.closest(w, cs)).toBe(referenceClosest(w, cs))
      }),
      { numRuns: 3000 }
    )
  })
})

describe('readObject', () => {
  it('reports every unknown key, and looks for the closest known key for the first 100 only', () => {
    const u: Record<string, number> = { maxRetires: 1 }
    for (let i = 0; i < 150; i++) {
      u[`k${i}`] = i
    }
    u.maxRetirse = 2
    const errors: t.Errors = []
    const fields = D.readObject(u, root(u), KNOWN, 'an object', errors)
    expect(fields).toEqual({})
    expect(errors).toHaveLength(152)
    expect(errors[0].message).toBe('unknown key; did you mean "maxRetries"?')
    const list = `unknown key; the known keys are ${KNOWN.join(', ')}`
    expect(errors[1].message).toBe(list)
    // the 152nd unknown key is a typo too, but past the first 100 it is not looked into
    expect(errors[151].message).toBe(list)
    expect(errors.map((e) => e.context[1].key)).toEqual(Object.keys(u))
  })
})

describe('reporting', () => {
  const problems = (n: number): ReadonlyArray<D.Problem> =>
    Array.from({ length: n }, (_, i) => ({ path: i === 0 ? '' : `k${i}`, message: `problem ${i}` }))

  it('lists at most 100 problems, then counts the others', () => {
    expect(D.listProblems(problems(2), '\n', '(root): ')).toBe('(root): problem 0\nk1: problem 1')
    expect(D.listProblems(problems(100), '; ', '').split('; ')).toHaveLength(100)
    const lines = D.listProblems(problems(100_000), '\n', '(root): ').split('\n')
    expect(lines).toHaveLength(101)
    expect(lines[99]).toBe('k99: problem 99')
    expect(lines[100]).toBe('and 99900 more')
  })

  it('keeps every problem, with a message of at most 101 lines', () => {
    const errors: t.Errors = Array.from({ length: 1000 }, (_, i) => ({
      value: i,
      context: [...root({}), { key: `k${i}`, type: t.number, actual: i }],
      message: 'bad'
    }))
    const { problems: all, message } = D.toProblems(errors)
    expect(all).toHaveLength(1000)
    expect(all[999]).toEqual({ path: 'k999', message: 'bad' })
    expect(message.split('\n')).toHaveLength(101)
    expect(message.endsWith('\nand 900 more')).toBe(true)
  })

  it('cuts a key longer than 100 characters in a path, and quotes it', () => {
    const key = 'x'.repeat(1_000_000)
    const errors: t.Errors = [{ value: 1, context: [...root({}), { key, type: t.number, actual: 1 }], message: 'bad' }]
    const {
      problems: [p],
      message
    } = D.toProblems(errors)
    expect(p.path).toBe(`["${'x'.repeat(100)}…"]`)
    expect(message).toBe(`${p.path}: bad`)
    const short = D.toProblems([{ ...errors[0], context: [...root({}), { key: 'x'.repeat(100), type: t.number }] }])
    expect(short.problems[0].path).toBe('x'.repeat(100))
  })
})

describe('numberWhere', () => {
  it('accepts what the rule accepts, normalizing -0, and shows anything else', () => {
    const isEven = (u: unknown): u is number => typeof u === 'number' && u % 2 === 0
    const even = D.numberWhere(isEven, 'an even number')
    const zero = even(-0, root(-0))
    expect(zero._tag === 'Right' && Object.is(zero.right, 0)).toBe(true)
    const odd = even('3', root('3'))
    expect(odd._tag === 'Left' && odd.left[0].message).toBe('expected an even number; given "3"')
  })
})
