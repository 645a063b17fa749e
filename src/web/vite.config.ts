import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Relative asset URLs: the server chooses the page prefix (`[web] url_prefix`) at run time and tells the page
 * through a `<base href>`, so one build serves any prefix.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Closed networks: everything the page needs ships in dist/web, nothing is fetched from elsewhere.
    assetsInlineLimit: 0,
  },
});
