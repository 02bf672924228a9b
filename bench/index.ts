import { runBench } from './run'

/*
 * `npm run bench`: NODE_ENV=production tsx --expose-gc bench/index.ts (see docs/performance.md).
 * BENCH_SMOKE=1 runs every stream at tiny sizes, to check the bench itself; BENCH_STREAMS=eg runs only
 * the streams with those letters (while working on one of them; the docs come from a full run).
 */

runBench({
  smoke: process.env.BENCH_SMOKE === '1',
  ...(process.env.BENCH_STREAMS ? { streams: process.env.BENCH_STREAMS } : {}),
}).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
