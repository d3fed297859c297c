/**
 * Reading untrusted values into io-ts validations: the toolkit the codecs of `Config` are written with.
 *
 * Everything here copes with hostile input: it never throws (a getter or a proxy trap that throws is a
 * problem, not a crash), reads only own properties, shows values briefly, and bounds its work, so an
 * object of 100,000 unknown keys or a key of a million characters is rejected at once with a short
 * message.
 *
 * @internal
 */
import * as t from 'io-ts'

/** Validates an unknown value at a context: what every reader of a policy is. */
export type Validator<A> = (u: unknown, c: t.Context) => t.Validation<A>

/** One problem: where (a dotted path, empty for the value itself) and what was expected and given. */
export interface Problem {
  readonly path: string
  readonly message: string
}

/** Every problem of a decoding, and a message listing them. */
export interface Problems {
  readonly message: string
  readonly problems: ReadonlyArray<Problem>
}

/** The most problems a message lists; the others are counted ("and N more"). */
export const MAX_LISTED = 100

/** The most items read from an array: a hostile sparse array must not make decoding loop for ever. */
export const MAX_ITEMS = 1000

/** The most unknown keys of one object for which the closest known key is looked for. */
export const MAX_SUGGESTIONS = MAX_LISTED

// a quoted value in a message is cut after this many characters, a key in a path after MAX_KEY
const MAX_SHOWN = 40
const MAX_KEY = 100

// a word longer than this is not a typo of a known key
const MAX_TYPO = 64

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

/** Whether an object has an own property `key`, whatever its prototype. */
export const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)

/** A copy without prototype, so that reading an absent key never reaches a polluted `Object.prototype`. */
export const own = <A extends object>(a: A): A => Object.assign(Object.create(null), a)

/** The message of anything thrown, never throwing itself. */
export const describeError = (error: unknown): string => {
  try {
    return error instanceof Error ? error.message : String(error)
  } catch {
    return 'an unprintable exception'
  }
}

/** `Array.isArray`, false for a revoked proxy instead of throwing. */
export const isArray = (u: unknown): u is ReadonlyArray<unknown> => {
  try {
    return Array.isArray(u)
  } catch {
    return false
  }
}

/** A plain object, from any realm: its prototype is null or a prototype whose own prototype is null. */
export const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) {
    return false
  }
  const proto: unknown = Object.getPrototypeOf(u)
  return proto === null || Object.getPrototypeOf(proto) === null
}

const cut = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max)}…` : s)

/** A string quoted as JSON, cut after 40 characters. */
export const showString = (s: string): string => JSON.stringify(cut(s, MAX_SHOWN))

const showValue = (u: unknown, nested: boolean): string => {
  if (typeof u === 'string') {
    return showString(u)
  }
  if (typeof u === 'number') {
    return Object.is(u, -0) ? '-0' : String(u)
  }
  if (typeof u === 'bigint') {
    return `${String(u)}n`
  }
  if (u === undefined) {
    return nested ? 'undefined' : 'nothing'
  }
  if (typeof u === 'boolean' || u === null) {
    return String(u)
  }
  if (typeof u === 'symbol' || typeof u === 'function') {
    return `a ${typeof u}`
  }
  if (isArray(u)) {
    if (nested || u.length === 0) {
      return u.length === 0 ? '[]' : '[…]'
    }
    const items = u.slice(0, 3).map((item) => showValue(item, true))
    return `[${items.join(', ')}${u.length > 3 ? ', …' : ''}]`
  }
  if (!isPlainObject(u)) {
    return `a ${Object.prototype.toString.call(u).slice(8, -1)} object`
  }
  const keys = Object.keys(u)
  if (nested || keys.length === 0) {
    return keys.length === 0 ? '{}' : '{…}'
  }
  const entries = keys.slice(0, 3).map((key) => `${showString(key)}: ${showValue(u[key], true)}`)
  return `{${entries.join(', ')}${keys.length > 3 ? ', …' : ''}}`
}

/** A short, safe rendering of any value for an error message: it never throws. */
export const show = (u: unknown): string => {
  try {
    return showValue(u, false)
  } catch {
    return 'an unreadable value'
  }
}

// optimal string alignment distance (Levenshtein plus adjacent transpositions: `maxRetires`), or
// `bound` as soon as the distance is known to be at least `bound`
const distance = (a: string, b: string, bound: number): number => {
  if (Math.abs(a.length - b.length) >= bound) {
    return bound
  }
  const width = b.length + 1
  let previous2 = new Array<number>(width).fill(0)
  let previous = Array.from({ length: width }, (_, j) => j)
  let current = new Array<number>(width).fill(0)
  let previousSmallest = 0
  for (let i = 1; i <= a.length; i++) {
    current[0] = i
    let smallest = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, previous2[j - 2] + 1)
      }
      current[j] = d
      smallest = Math.min(smallest, d)
    }
    // a transposition reaches two rows back, so two rows at or above the bound end the search
    if (smallest >= bound && previousSmallest >= bound) {
      return bound
    }
    previousSmallest = smallest
    ;[previous2, previous, current] = [previous, current, previous2]
  }
  return Math.min(previous[b.length], bound)
}

// how far a candidate may be from a word and still be its likely typo
const tolerance = (candidate: string): number => Math.max(1, Math.floor(candidate.length / 3))

/** The candidate closest to `word`, ignoring case, if it is close enough to be a likely typo. */
export const closest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  if (word.length > MAX_TYPO) {
    return undefined
  }
  // distances past every tolerance cannot give a suggestion, so they need not be computed exactly
  const bound = Math.max(...candidates.map(tolerance)) + 1
  const lower = word.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase(), bound)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= tolerance(best) ? best : undefined
}

/** ` (did you mean "x"?)`, or nothing without a suggestion. */
export const didYouMean = (suggestion: string | undefined): string =>
  suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`

/** A validation error with a message. */
export const problem = (value: unknown, context: t.Context, message: string): t.ValidationError => ({
  value,
  context,
  message
})

/** A failed validation with a message. */
export const fail = <A>(value: unknown, context: t.Context, message: string): t.Validation<A> =>
  t.failure(value, context, message)

/** A validator that turns anything it throws (a getter, a proxy trap) into a decode problem. */
export const guard =
  <A>(validate: Validator<A>): Validator<A> =>
  (u, c) => {
    try {
      return validate(u, c)
    } catch (error) {
      return fail(u, c, `could not be read: ${describeError(error)}`)
    }
  }

/**
 * A validator of numbers that follow `rule` (one of the predicates the constructors check with), with
 * `expected` in the message of any other value. It normalizes `-0` to 0.
 */
export const numberWhere =
  (rule: (u: unknown) => u is number, expected: string): Validator<number> =>
  (u, c) =>
    rule(u) ? t.success(u + 0) : fail(u, c, `expected ${expected}; given ${show(u)}`)

/**
 * The own, known, defined keys of a plain object. Each unknown key is a problem naming the closest
 * known key (looked for among the first 100 unknown keys only, so a hostile object costs little) or,
 * when none is close, listing the known keys.
 */
export const readObject = (
  u: unknown,
  c: t.Context,
  known: ReadonlyArray<string>,
  expected: string,
  errors: t.Errors
): Record<string, unknown> | undefined => {
  if (!isPlainObject(u)) {
    errors.push(problem(u, c, `expected ${expected}; given ${show(u)}`))
    return undefined
  }
  const list = `unknown key; the known keys are ${known.join(', ')}`
  let unknown = 0
  for (const key of Object.keys(u)) {
    if (!known.includes(key)) {
      const suggestion = unknown++ < MAX_SUGGESTIONS ? closest(key, known) : undefined
      errors.push(
        problem(
          undefined,
          t.appendContext(c, key, t.never),
          suggestion === undefined ? list : `unknown key; did you mean ${JSON.stringify(suggestion)}?`
        )
      )
    }
  }
  const fields: Record<string, unknown> = Object.create(null)
  for (const key of known) {
    if (hasOwn(u, key)) {
      try {
        const value = u[key]
        if (value !== undefined) {
          fields[key] = value
        }
      } catch (error) {
        errors.push(
          problem(undefined, t.appendContext(c, key, t.unknown), `could not be read: ${describeError(error)}`)
        )
      }
    }
  }
  return fields
}

/** Validates `fields[key]`, collecting its problems; undefined when absent (a problem if `missing` is given) or invalid. */
export const readField = <A>(
  fields: Record<string, unknown>,
  key: string,
  validate: Validator<A>,
  c: t.Context,
  errors: t.Errors,
  missing?: string
): A | undefined => {
  if (!(key in fields)) {
    if (missing !== undefined) {
      errors.push(problem(undefined, t.appendContext(c, key, t.unknown), `missing; expected ${missing}`))
    }
    return undefined
  }
  const value = fields[key]
  const result = validate(value, t.appendContext(c, key, t.unknown, value))
  if (result._tag === 'Left') {
    errors.push(...result.left)
    return undefined
  }
  return result.right
}

/** Validates every item of an array (at most 1000 of them), collecting their problems. */
export const readItems = <A>(
  u: unknown,
  c: t.Context,
  validate: Validator<A>,
  expected: string,
  errors: t.Errors
): ReadonlyArray<A> | undefined => {
  if (!isArray(u)) {
    errors.push(problem(u, c, `expected ${expected}; given ${show(u)}`))
    return undefined
  }
  if (u.length > MAX_ITEMS) {
    errors.push(problem(u, c, `expected at most ${MAX_ITEMS} items; given an array of ${u.length}`))
    return undefined
  }
  const items: Array<A> = []
  const before = errors.length
  for (let i = 0; i < u.length; i++) {
    const item = u[i]
    const result = validate(item, t.appendContext(c, String(i), t.unknown, item))
    if (result._tag === 'Left') {
      errors.push(...result.left)
    } else {
      items.push(result.right)
    }
  }
  return errors.length === before ? items : undefined
}

/** A success holding `value`, or the problems collected. */
export const collect = <A>(errors: t.Errors, value: A): t.Validation<A> =>
  errors.length > 0 ? t.failures(errors) : t.success(value)

// -------------------------------------------------------------------------------------
// reporting
// -------------------------------------------------------------------------------------

// a key in a path: `.key` for an identifier, `["odd key"]` otherwise; a key past 100 characters is cut
const pathSegment = (key: string, first: boolean): string =>
  key.length <= MAX_KEY && IDENTIFIER.test(key) ? (first ? key : `.${key}`) : `[${JSON.stringify(cut(key, MAX_KEY))}]`

// the dotted path of an error; the member indexes of unions and intersections are not part of it
const pathOf = (context: t.Context): string => {
  let path = ''
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]
    const key = context[i].key
    if (parent.type instanceof t.UnionType || parent.type instanceof t.IntersectionType) {
      continue
    }
    path += isArray(parent.actual) ? `[${key}]` : pathSegment(key, path === '')
  }
  return path
}

/**
 * At most 100 problems as `path: message`, joined by `separator`, the value itself labelled `root`;
 * the problems left out are counted in a last line, `and N more`.
 */
export const listProblems = (problems: ReadonlyArray<Problem>, separator: string, root: string): string => {
  const listed = problems
    .slice(0, MAX_LISTED)
    .map((p) => (p.path === '' ? `${root}${p.message}` : `${p.path}: ${p.message}`))
    .join(separator)
  return problems.length > MAX_LISTED ? `${listed}${separator}and ${problems.length - MAX_LISTED} more` : listed
}

/** io-ts errors as problems with dotted paths, and a message listing them (at most 100). */
export const toProblems = (errors: t.Errors): Problems => {
  const problems = errors.map((error): Problem => {
    const last = error.context[error.context.length - 1]
    const message =
      error.message ?? `expected ${last === undefined ? 'a valid value' : last.type.name}; given ${show(error.value)}`
    return { path: pathOf(error.context), message }
  })
  return { message: listProblems(problems, '\n', '(root): '), problems }
}
