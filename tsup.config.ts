import { defineConfig } from 'tsup'

export default defineConfig({
  entry: [
    'src/index.ts',
    'src/Schedule.ts',
    'src/TaskEither.ts',
    'src/ReaderTaskEither.ts',
    'src/Clock.ts',
    'src/TestClock.ts',
    'src/Budget.ts',
    'src/Config.ts'
  ],
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
