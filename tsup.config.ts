import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'react/index': 'src/react/index.ts',
    'comfyui/index': 'src/comfyui/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['@reduxjs/toolkit', 'zod', 'react', 'react-redux', 'socket.io-client', 'msw'],
})
