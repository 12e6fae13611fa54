// The bins run dist/ only while it is newer than every source that went into it.
import { expect } from 'chai';
import { copyFileSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir } from '../../support/temp-dir.ts';

describe('bin launcher', () => {
  it('runs the compiled file when fresh, and the TypeScript source once a source is newer than the build', async () => {
    const dir = makeTempDir('launch');
    try {
      const root = dir.path;
      mkdirSync(path.join(root, 'runtime/bin'), { recursive: true });
      mkdirSync(path.join(root, 'dist'));
      copyFileSync(path.resolve('runtime/bin/launch.mjs'), path.join(root, 'runtime/bin/launch.mjs'));
      symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
      writeFileSync(path.join(root, 'entry.ts'), "export const ranFrom: string = 'source';\n");
      writeFileSync(path.join(root, 'dist/entry.mjs'), "export const ranFrom = 'compiled';\n");
      const builtAt = Date.now();
      writeFileSync(path.join(root, 'dist/manifest.json'), JSON.stringify({ built_at: builtAt, inputs: ['entry.ts'] }));
      const past = new Date(builtAt - 60_000);
      utimesSync(path.join(root, 'entry.ts'), past, past);
      const { launch } = await import(pathToFileURL(path.join(root, 'runtime/bin/launch.mjs')).href);
      expect((await launch('entry', 'entry.ts')).ranFrom).to.equal('compiled');

      const future = new Date(builtAt + 60_000);
      utimesSync(path.join(root, 'entry.ts'), future, future);
      expect((await launch('entry', 'entry.ts')).ranFrom).to.equal('source');
    } finally {
      dir.remove();
    }
  });
});
