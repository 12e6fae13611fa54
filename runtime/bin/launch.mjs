// How the bins start: the compiled JavaScript in dist/ when it is there and newer than
// every source that went into it (tools/compile.mjs), else the TypeScript sources
// through tsx. AGENTCOM_FROM_SOURCE=1 forces the sources.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);

function compiledIsFresh() {
  if (process.env.AGENTCOM_FROM_SOURCE === '1') return false;
  try {
    const manifest = JSON.parse(readFileSync(new URL('dist/manifest.json', root), 'utf8'));
    const rootPath = fileURLToPath(root);
    return manifest.inputs.every((input) => statSync(rootPath + input).mtimeMs <= manifest.built_at);
  } catch {
    return false;
  }
}

/** Imports `dist/<compiled>.mjs`, or registers tsx and imports `source` (a path from the package root). */
export async function launch(compiled, source) {
  if (compiledIsFresh()) return import(new URL(`dist/${compiled}.mjs`, root).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(source, root).href);
}
