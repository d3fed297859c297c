import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'src')

// unit tests, with coverage; the integration suite (real sockets, real time) runs on its own, after
export default defineConfig({
  resolve: { alias: [{ find: /^schedule-ts(?=\/|$)/, replacement: src }] },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/integration/**', 'node_modules/**'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 95, branches: 95 }
    }
  }
})
