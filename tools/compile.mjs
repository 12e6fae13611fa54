// Compiles the three command-line entry points to JavaScript in dist/, so `agentcom`,
// `agentcom-sidecar` and `agentcom-git` start without the TypeScript loader (tsx
// transpiles every file on each start: about 2 s per CLI call, measured in issue 18).
//
// Run by `npm ci` / `npm install` / `npm link` through the `prepare` script. esbuild is a
// devDependency, so after `npm ci --omit=dev` it is absent: the build is skipped and the
// bins run the TypeScript sources through tsx (a runtime dependency) as before.
//
// dist/manifest.json lists every source file that went into the build; the bins compare
// their modification times with the build time and run the sources when one is newer,
// so an edited checkout never runs stale JavaScript.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('agentcom: esbuild is not installed (npm ci --omit=dev?); the CLIs will run their TypeScript sources through tsx\n');
  process.exit(0);
}

const builtAt = Date.now();
const outdir = path.join(root, 'dist');
// Chunk names carry content hashes: start empty so old chunks do not pile up.
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'runtime/cli/agentcom.ts', out: 'agentcom' },
    { in: 'sidecar/cli.ts', out: 'agentcom-sidecar' },
    { in: 'sidecar/git/cli.ts', out: 'agentcom-git' },
    // Worker-thread entries, loaded by path (storage/worker-thread.ts), not imported.
    { in: 'storage/backup-check-worker.ts', out: 'backup-check-worker' },
  ],
  outdir,
  bundle: true,
  // Dynamic imports (the hub behind `agentcom start`) become chunks loaded only when used.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // Chunks beside the entries: sources resolve files with new URL('../…', import.meta.url), one level down.
  chunkNames: '[name]-[hash]',
  outExtension: { '.js': '.mjs' },
});
const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('node_modules/')).sort();
writeFileSync(path.join(outdir, 'manifest.json'), `${JSON.stringify({ built_at: builtAt, inputs }, null, 1)}\n`);
process.stderr.write(`agentcom: compiled the CLIs to dist/ (${inputs.length} sources)\n`);
