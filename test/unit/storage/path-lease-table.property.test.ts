// The lease table's index never misses an overlap: after random holds and releases, a check
// finds a conflicting lease exactly when a brute-force scan of every held lease does.
import { expect } from 'chai';
import fc from 'fast-check';
import { globSetsOverlap } from '../../../storage/path-globs.ts';
import { PathLeaseTable, type PathLease } from '../../../storage/path-lease-table.ts';

// Mostly literal folders, so the two-level index is exercised, with patterns now and then.
const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'x', 'y') },
  { weight: 1, arbitrary: fc.constantFrom('*', '**', '?', '{a,x}', '[ab]') },
);
const glob = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const globs = fc.array(glob, { minLength: 1, maxLength: 2 });
const repo = fc.constantFrom('', 'other');
const step = fc.oneof(
  fc.record({ kind: fc.constant('hold' as const), task: fc.nat({ max: 8 }), extra: fc.boolean(), repo, paths: globs }),
  fc.record({ kind: fc.constant('release' as const), task: fc.nat({ max: 8 }) }),
  fc.record({ kind: fc.constant('check' as const), task: fc.nat({ max: 9 }), repo, paths: globs }),
);

describe('path lease table (fast-check)', () => {
  it('finds a conflict exactly when some other task holds an overlapping lease in the same repo', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const table = new PathLeaseTable();
      let serial = 0;
      for (const s of steps) {
        if (s.kind === 'hold') {
          const lease: PathLease = {
            lease_id: s.extra ? `lease-${serial++}` : `task:t${s.task}`, task_id: `t${s.task}`, agent_id: 'a', generation: 1,
            repo: s.repo, paths: s.paths, acquired_at: 0,
          };
          table.hold(lease);
        } else if (s.kind === 'release') {
          table.releaseTask(`t${s.task}`);
        } else {
          const own = `t${s.task}`;
          const expected = table.all().some((lease) => lease.repo === s.repo && lease.task_id !== own && globSetsOverlap(s.paths, lease.paths));
          const found = table.conflictWith(s.repo, s.paths, own);
          expect(found !== null, `${s.paths.join(',')} in '${s.repo}' against ${JSON.stringify(table.all())}`).to.equal(expected);
          if (found) expect(found.task_id).to.not.equal(own);
        }
      }
      expect(table.size).to.equal(table.all().length);
    }), { numRuns: 300 });
  });
});
