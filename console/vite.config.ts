import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The console is a static single-page app that the backend serves at '/'. In `vite dev`, API calls
// go to a running backend (ORRERY_API, default http://127.0.0.1:8080).
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 600 },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': process.env.ORRERY_API ?? 'http://127.0.0.1:8080' },
  },
});
