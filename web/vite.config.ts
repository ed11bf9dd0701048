import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The built app is plain static files (index.html + hashed assets/) with no inline script or style, so it
// runs under a strict Content-Security-Policy (script-src 'self'; style-src 'self'). In development, Vite
// proxies the same-origin API to the local front door started by `npm start`.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    // Keep assets as files: an inlined data: URL would need a looser CSP.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': { target: process.env.SHIFTSTACK_API ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
  preview: { host: '127.0.0.1', port: 4173 },
});
