import * as path from 'path'
import { defineConfig } from 'vitest/config'

export const alias = [{ find: /^schedule-ts(?=\/|$)/, replacement: path.resolve(__dirname, 'src') }]

// unit tests, with coverage; the integration suite (real sockets, real time) runs on its own, after
export default defineConfig({
  resolve: { alias },
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
