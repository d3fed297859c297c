/**
 * A priority queue of timed events for the discrete-event simulations: events come out in order of
 * time, and events at the same time in the order they were scheduled, so a run is deterministic.
 */

interface Entry<A> {
  readonly time: number
  readonly seq: number
  readonly event: A
}

/** A queue of events of type `A`, each due at a time. */
export interface EventQueue<A> {
  /** Schedules `event` at `time`. */
  readonly push: (time: number, event: A) => void
  /** Removes and returns the earliest event, or undefined when there is none. */
  readonly pop: () => { readonly time: number; readonly event: A } | undefined
}

const before = <A>(x: Entry<A>, y: Entry<A>): boolean => x.time < y.time || (x.time === y.time && x.seq < y.seq)

/** Makes an empty queue (a binary min-heap keyed by time, then order of scheduling). */
export const makeEventQueue = <A>(): EventQueue<A> => {
  const heap: Array<Entry<A>> = []
  let seq = 0
  return {
    push: (time, event) => {
      const entry: Entry<A> = { time, seq: seq++, event }
      let i = heap.length
      heap.push(entry)
      while (i > 0) {
        const parent = (i - 1) >> 1
        if (!before(entry, heap[parent])) break
        heap[i] = heap[parent]
        i = parent
      }
      heap[i] = entry
    },
    pop: () => {
      const top = heap[0]
      if (top === undefined) return undefined
      const last = heap.pop() as Entry<A>
      const n = heap.length
      if (n > 0) {
        let i = 0
        for (;;) {
          const left = 2 * i + 1
          if (left >= n) break
          const right = left + 1
          const child = right < n && before(heap[right], heap[left]) ? right : left
          if (!before(heap[child], last)) break
          heap[i] = heap[child]
          i = child
        }
        heap[i] = last
      }
      return top
    }
  }
}
