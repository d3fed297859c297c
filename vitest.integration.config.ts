import { defineConfig } from 'vitest/config'
import { alias } from './vitest.config'

// the integration suite: real HTTP servers on 127.0.0.1 and real time, so one file at a time and
// alone, after the unit tests, to keep its latency bounds (abort within 50 ms) free of other load
export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/integration/**/*.test.ts'],
    fileParallelism: false
  }
})
