import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'src/**/*.test.tsx',
      'test/**/*.test.ts',
      'test/**/*.test.tsx',
      'sim/**/*.test.ts',
    ],
    testTimeout: 20_000,
    pool: 'forks',
  },
})
