import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'src')

// the integration suite: real servers on 127.0.0.1 (HTTP, Redis), a browser and real time, one file
// at a time, after the unit tests: each file starts many sockets and processes of its own
export default defineConfig({
  resolve: { alias: [{ find: /^schedule-ts(?=\/|$)/, replacement: src }] },
  test: {
    include: ['test/integration/**/*.test.ts'],
    fileParallelism: false
  }
})
