// Builds the dashboard: web/static/src → web/static/dist, one esbuild call.
// uPlot and its CSS are bundled in, so the page needs no network beyond the hub.
// `node web/static/build.mjs` writes dist/; the bundle test imports `dashboardBuildOptions`
// and builds in memory to check that the committed dist/ matches its source.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** esbuild options; `write: false` keeps the output in memory. */
export function dashboardBuildOptions({ write = true } = {}) {
  return {
    absWorkingDir: here('.'),
    entryPoints: [
      { in: here('src/app.ts'), out: 'app' },
      { in: here('src/sw.ts'), out: 'sw' },
      { in: here('src/index.html'), out: 'index' },
    ],
    loader: { '.html': 'copy' },
    outdir: here('dist'),
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    legalComments: 'none',
    logLevel: write ? 'info' : 'silent',
    write,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await build(dashboardBuildOptions());
}
