// Dependencies point inward: fails when a source file imports a folder its layer may not
// (docs/architecture.md, "Layers"). `npm run cycles` checks that the graph has no loops; this
// checks which way its edges go. Type-only imports count: a type is a dependency too.
//
//   node tools/check-layers.mjs [root]      root defaults to this checkout
//
// Exit 0 when every import is allowed, 1 with one line per forbidden import otherwise.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';

/**
 * Each file falls under the longest `from` prefix that matches its path and may import only
 * files under its `may` prefixes. A file under no `from` is not checked.
 */
export const layers = [
  // The domain vocabulary: task record, statuses, lanes, limits, the error catalogue.
  { from: 'storage/domain/', may: ['storage/domain/'] },
  // The floor: pure machines and LMDB storage.
  { from: 'machines/', may: ['machines/', 'storage/domain/'] },
  { from: 'storage/', may: ['storage/', 'machines/'] },
  // Wire schemas: what the hub, the sidecar and the dashboard all validate against.
  { from: 'web/protocol/', may: ['web/protocol/', 'storage/domain/'] },
  { from: 'web/static/', may: ['web/static/', 'web/protocol/', 'web/ports/', 'storage/domain/'] },
  { from: 'web/', may: ['web/', 'storage/domain/'] },
  // Machines bound to the world: storage and machines below, no transport.
  { from: 'actors/', may: ['actors/', 'machines/', 'storage/'] },
  // The agent side, its own process: the shared schemas and the pure glob rule, nothing of the hub.
  { from: 'sidecar/', may: ['sidecar/', 'web/protocol/', 'storage/domain/', 'storage/path-globs.ts'] },
  // The composition root (boot, hub, CLI) wires everything together.
  { from: 'runtime/', may: ['actors/', 'machines/', 'runtime/', 'sidecar/', 'storage/', 'web/'] },
];

/** Imports allowed for now, each with the work that removes it (none left). */
export const pending = [];

const sourceFolders = ['actors', 'machines', 'runtime', 'storage', 'sidecar', 'web'];

function layerOf(file) {
  let best = null;
  for (const layer of layers) {
    if (file.startsWith(layer.from) && (!best || layer.from.length > best.from.length)) best = layer;
  }
  return best;
}

/** Every forbidden import in a `file → [imports]` graph, as `{ file, imported }`. */
export function violations(graph) {
  const found = [];
  for (const [file, imports] of Object.entries(graph)) {
    const layer = layerOf(file);
    if (!layer) continue;
    for (const imported of imports) {
      if (layer.may.some((prefix) => imported.startsWith(prefix))) continue;
      if (pending.some((rule) => file.startsWith(rule.from) && imported.startsWith(rule.to))) continue;
      found.push({ file, imported });
    }
  }
  return found;
}

async function importGraph(root) {
  const folders = sourceFolders.map((folder) => path.join(root, folder)).filter((folder) => existsSync(folder));
  const tsConfig = path.join(root, 'tsconfig.json');
  const result = await madge(folders, {
    baseDir: root,
    fileExtensions: ['ts'],
    ...(existsSync(tsConfig) ? { tsConfig } : {}),
  });
  return result.obj();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const found = violations(await importGraph(root));
  for (const { file, imported } of found) {
    process.stderr.write(`${file} imports ${imported}: ${layerOf(file).from} may import only ${layerOf(file).may.join(', ')}\n`);
  }
  if (found.length > 0) {
    process.stderr.write(`\n${found.length} import(s) point outward; docs/architecture.md ("Layers") says which way they go\n`);
    process.exit(1);
  }
  process.stdout.write('layers: every import points inward\n');
}
