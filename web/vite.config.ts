// The web interface's build (`npm run build:web`): web/ into dist/web, every asset under /-/web/ (served by
// the gateway, src/web-ui.ts), nothing from another origin.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  base: '/-/web/',
  plugins: [react()],
  build: { outDir: '../dist/web', emptyOutDir: true, assetsDir: 'assets', sourcemap: false },
  logLevel: 'warn',
});
