/**
 * The few fp-ts values the library builds, written out by hand.
 *
 * fp-ts is a peer dependency imported for its types only: fp-ts 2 has no `exports` map, so a runtime
 * `import 'fp-ts/Either'` from an ES module fails under native Node ESM. These constructors build the
 * same plain objects fp-ts's own do, so fp-ts code reads them as its own.
 *
 * @internal
 */
import type { Either, Left, Right } from 'fp-ts/Either'
import type { Option } from 'fp-ts/Option'

/** `E.left`. */
export const left = <E>(left: E): Left<E> => ({ _tag: 'Left', left })

/** `E.right`. */
export const right = <A>(right: A): Right<A> => ({ _tag: 'Right', right })

/** `O.none`. */
export const none: Option<never> = { _tag: 'None' }

/** `O.some`. */
export const some = <A>(value: A): Option<A> => ({ _tag: 'Some', value })

/** `E.bimap`, for the few places that map both sides. */
export const bimap = <E, A, E2, B>(result: Either<E, A>, f: (e: E) => E2, g: (a: A) => B): Either<E2, B> =>
  result._tag === 'Left' ? left(f(result.left)) : right(g(result.right))
