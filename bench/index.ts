import { runBench } from './run'

/*
 * `npm run bench`: NODE_ENV=production tsx --expose-gc bench/index.ts (see docs/performance.md).
 * BENCH_SMOKE=1 runs every stream at tiny sizes, to check the bench itself.
 */

runBench({ smoke: process.env.BENCH_SMOKE === '1' }).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
