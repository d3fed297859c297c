/**
 * Which schedules never read `context.start`, so that a run of one of them need not read the clock
 * when its first attempt starts: a call whose first attempt succeeds then costs no clock read.
 *
 * Only the library's own schedules are marked, by the constructors and combinators of `Schedule`;
 * a combinator is marked when every schedule it steps is and it reads no start of its own. A
 * schedule written with `make` or by hand is never marked: it may read `start`, so a run of it
 * reads the clock, as it always did.
 *
 * @internal
 */

const ignoring = new WeakSet<object>()

/** Marks `schedule` as never reading `start` when every schedule in `steps` is marked, and returns it. */
export const ignoresStartWhen = <S extends object>(schedule: S, ...steps: ReadonlyArray<object>): S => {
  if (steps.every((step) => ignoring.has(step))) {
    ignoring.add(schedule)
  }
  return schedule
}

/** Whether a run of `schedule` must know when its first attempt started. */
export const readsStart = (schedule: object): boolean => !ignoring.has(schedule)
