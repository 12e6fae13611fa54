// The committed bundle (web/static/dist) must be what its source builds to: rebuild in
// memory with the same options and compare byte for byte. On failure: `node web/static/build.mjs`.
import { expect } from 'chai';
import { build, type BuildOptions } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const distDir = fileURLToPath(new URL('../../../web/static/dist', import.meta.url));

describe('dashboard bundle (web/static/dist)', () => {
  it('matches a fresh build of web/static/src', async function () {
    this.timeout(30_000);
    // @ts-expect-error build.mjs is plain JavaScript with no type declarations
    const { dashboardBuildOptions } = (await import('../../../web/static/build.mjs')) as { dashboardBuildOptions(options: { write: boolean }): BuildOptions };
    // In memory, with the real outdir: source-map paths are relative to it, so a build
    // written elsewhere would differ for that reason alone.
    const result = await build(dashboardBuildOptions({ write: false }));
    const built = new Map(result.outputFiles!.map((file) => [basename(file.path), Buffer.from(file.contents)]));
    const committed = readdirSync(distDir).sort();
    expect(committed, 'files in web/static/dist; rebuild with `node web/static/build.mjs`').to.deep.equal([...built.keys()].sort());
    for (const [name, contents] of built) {
      const same = readFileSync(`${distDir}/${name}`).equals(contents);
      expect(same, `web/static/dist/${name} differs from its source; rebuild with \`node web/static/build.mjs\` and commit`).to.equal(true);
    }
  });
});
