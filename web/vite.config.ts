import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const webDir = fileURLToPath(new URL('.', import.meta.url))
const repoDir = fileURLToPath(new URL('..', import.meta.url))
// `vite --config web/vite.config.ts` proxies the server's paths here, so the page works same-origin.
const devServerTarget = process.env.SIM_URL ?? 'http://127.0.0.1:9090'

export default defineConfig({
  root: webDir,
  // Relative asset URLs: the built page works wherever the server mounts it.
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // The graph editor and React in chunks of their own: the page's own code stays small, each cached apart.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'react-flow', test: /node_modules[\\/](@xyflow|d3-|classcat|zustand)/ },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-redux)[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    // The page imports the library from ../src.
    fs: { allow: [repoDir] },
    proxy: {
      '/api': devServerTarget,
      '/sim': devServerTarget,
      '/ws': { target: devServerTarget, ws: true },
    },
  },
})
