// The canvas bundle: one ES module (default export = the Streamlit Components v2 renderer) and one CSS file.
// Deterministic: the same lockfile and sources give byte-identical files (`make frontend` checks).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  define: { 'process.env.NODE_ENV': '"production"' },
  build: {
    lib: { entry: 'src/index.jsx', formats: ['es'], fileName: () => 'canvas.js', cssFileName: 'canvas' },
    outDir: 'dist',
    emptyOutDir: true,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: { output: { minify: true } },
  },
});
