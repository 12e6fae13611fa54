// The glob overlap rule under a model: an independent matcher (globs turned into regular
// expressions) over a small universe of paths. Soundness is the property that matters for
// leases: whenever some path is covered by both globs, `globsOverlap` says they overlap.
// Precision is checked too: when it says they overlap, the universe holds a witness.
import { expect } from 'chai';
import fc from 'fast-check';
import { globCovers, globSetsOverlap, globsOverlap } from '../../../storage/path-globs.ts';
import { pathGlobField } from '../../../storage/domain/path-glob.ts';

const names = ['a', 'b', 'aa', 'ab', 'ba'];
const patternSegments = ['a', 'b', 'ab', 'ba', '*', '?', 'a*', '*b', '[ab]', '[!a]', '[a-b]a', '**', '{a,b}', '{ab,b*}'];

/** Every path of 1 to 4 segments over `names`. */
const universe: string[] = (() => {
  const paths: string[] = [];
  let layer = [''];
  for (let depth = 1; depth <= 4; depth += 1) {
    layer = layer.flatMap((prefix) => names.map((name) => (prefix ? `${prefix}/${name}` : name)));
    paths.push(...layer);
  }
  return paths;
})();

const glob = (maxSegments: number) =>
  fc.array(fc.constantFrom(...patternSegments), { minLength: 1, maxLength: maxSegments }).map((segments) => segments.join('/'));
const literalPath = fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }).map((segments) => segments.join('/'));

/** The oracle, written independently of the module: `**` by recursion, every other segment as a regular expression. */
function oracleMatches(globSegments: string[], pathSegments: string[]): boolean {
  if (globSegments.length === 0) return pathSegments.length === 0;
  const [head, ...rest] = globSegments;
  if (head === '**') {
    for (let skip = 0; skip <= pathSegments.length; skip += 1) if (oracleMatches(rest, pathSegments.slice(skip))) return true;
    return false;
  }
  return pathSegments.length > 0 && segmentRegex(head).test(pathSegments[0]) && oracleMatches(rest, pathSegments.slice(1));
}

function segmentRegex(segment: string): RegExp {
  const source = segment
    .replace(/\?/g, '.')
    .replace(/\*/g, '.*')
    .replace(/\[!/g, '[^')
    .replace(/\{([^{}]*)\}/g, (_match, body: string) => `(?:${body.split(',').join('|')})`);
  return new RegExp(`^${source}$`);
}

/** Covered by the oracle: the path or one of its folders matches. */
function oracleCovers(text: string, path: string): boolean {
  const globSegments = text.split('/');
  const parts = path.split('/');
  for (let depth = 1; depth <= parts.length; depth += 1) if (oracleMatches(globSegments, parts.slice(0, depth))) return true;
  return false;
}

const runs = { numRuns: 250 };

describe('path globs: overlap (fast-check model)', () => {
  it('the oracle and globCovers agree on every path of the universe', () => {
    fc.assert(fc.property(glob(3), (g) => {
      for (const path of universe) expect(globCovers(g, path), `${g} covers ${path}`).to.equal(oracleCovers(g, path));
    }), runs);
  });

  it('is symmetric', () => {
    fc.assert(fc.property(glob(3), glob(3), (a, b) => {
      expect(globsOverlap(a, b)).to.equal(globsOverlap(b, a));
    }), runs);
  });

  it('never calls two globs disjoint when a path is covered by both (sound)', () => {
    fc.assert(fc.property(glob(3), glob(3), (a, b) => {
      const witness = universe.find((path) => oracleCovers(a, path) && oracleCovers(b, path));
      if (witness) expect(globsOverlap(a, b), `${a} and ${b} both cover ${witness}`).to.equal(true);
    }), runs);
  });

  it('says overlap only when a path is covered by both (precise on short globs)', () => {
    fc.assert(fc.property(glob(2), glob(2), (a, b) => {
      const witness = universe.some((path) => oracleCovers(a, path) && oracleCovers(b, path));
      expect(globsOverlap(a, b), `${a} vs ${b}`).to.equal(witness);
    }), runs);
  });

  it('a glob overlaps every concrete path it covers, and itself', () => {
    fc.assert(fc.property(glob(3), literalPath, (g, path) => {
      if (oracleCovers(g, path)) expect(globsOverlap(g, path)).to.equal(true);
      expect(globsOverlap(g, g)).to.equal(true);
    }), runs);
  });

  it('two literal paths overlap exactly when one is the other or a folder of it', () => {
    fc.assert(fc.property(literalPath, literalPath, (a, b) => {
      const nested = a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
      expect(globsOverlap(a, b)).to.equal(nested);
    }), runs);
  });

  it('globs under different literal top folders never overlap', () => {
    fc.assert(fc.property(glob(3), glob(3), (a, b) => {
      expect(globsOverlap(`left/${a}`, `right/${b}`)).to.equal(false);
    }), runs);
  });

  it('sets overlap exactly when some pair does', () => {
    fc.assert(fc.property(fc.array(glob(2), { maxLength: 4 }), fc.array(glob(2), { maxLength: 4 }), (a, b) => {
      expect(globSetsOverlap(a, b)).to.equal(a.some((x) => b.some((y) => globsOverlap(x, y))));
    }), { numRuns: 200 });
  });
});

describe('path globs: examples', () => {
  const cases: Array<[string, string, boolean]> = [
    ['src/**', 'src/a.ts', true],
    ['src', 'src/deep/file.ts', true],
    ['src/*.ts', 'src/a/b.ts', false],
    ['src/*.ts', 'src/*.js', false],
    ['src/*.ts', 'src/a.*', true],
    ['**/*.md', 'docs/guide.md', true],
    // Conservative: docs/guide.txt could be a folder holding an .md file.
    ['**/*.md', 'docs/guide.txt', true],
    ['**/*.md', 'docs/*.txt', true],
    ['docs/*.md', 'docs/*.txt', false],
    ['docs/**', 'src/**', false],
    ['./docs//a/', 'docs/a/b', true],
    ['{src,lib}/x.ts', 'lib/**', true],
    ['{src,lib}/x.ts', 'test/**', false],
    ['file[0-4].ts', 'file[5-9].ts', false],
    ['file[0-5].ts', 'file[5-9].ts', true],
    ['file[!0-9].ts', 'file[0-9].ts', false],
    ['file[!0-8].ts', 'file[0-9].ts', true],
    ['a/*/c', 'a/b', true],
    ['a/*/c', 'a/b/d', false],
    ['**', 'anything/at/all', true],
  ];
  for (const [a, b, expected] of cases) {
    it(`${a} ${expected ? 'overlaps' : 'does not overlap'} ${b}`, () => {
      expect(globsOverlap(a, b)).to.equal(expected);
      expect(globsOverlap(b, a)).to.equal(expected);
    });
  }

  it('a brace set too large to expand counts as everything (conservative)', () => {
    const huge = '{a,b,c,d}/{a,b,c,d}/{a,b,c,d}/{a,b,c,d}';
    expect(globsOverlap(huge, 'zzz/y')).to.equal(true);
  });

  it('the schema refuses globs that are absolute, climb out, negate or use backslashes', () => {
    const acceptable = (glob: string) => new RegExp(pathGlobField.pattern!, 'u').test(glob);
    for (const bad of ['/etc/passwd', 'C:/x', '../x', 'a/../b', '!src', 'src\\a', ' ', 'a\u0001b']) expect(acceptable(bad), bad).to.equal(false);
    for (const good of ['src/**/*.ts', 'a b/c', '{a,b}/x', 'a/..b', '.github/**']) expect(acceptable(good), good).to.equal(true);
  });
});
