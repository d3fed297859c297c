import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'src')

// the integration suite: real HTTP servers on 127.0.0.1 and real time, so one file at a time and
// alone, after the unit tests, to keep its latency bounds (abort within 50 ms) free of other load
export default defineConfig({
  resolve: { alias: [{ find: /^schedule-ts(?=\/|$)/, replacement: src }] },
  test: {
    include: ['test/integration/**/*.test.ts'],
    fileParallelism: false
  }
})
