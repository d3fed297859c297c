import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    Schedule: 'src/Schedule.ts',
    TaskEither: 'src/TaskEither.ts',
    ReaderTaskEither: 'src/ReaderTaskEither.ts',
    Clock: 'src/Clock.ts',
    TestClock: 'src/TestClock.ts',
    Budget: 'src/Budget.ts',
    Config: 'src/Config.ts',
    BullMQ: 'src/BullMQ.ts',
    Cron: 'src/Cron.ts',
    OpenTelemetry: 'src/OpenTelemetry.ts',
    bin: 'src/internal/bin.ts'
  },
  format: ['cjs', 'esm'],
  dts: true,
  splitting: true,
  treeshake: true,
  clean: true,
  sourcemap: false,
  target: 'es2020',
  outDir: 'dist',
  external: ['fp-ts', 'io-ts']
})
