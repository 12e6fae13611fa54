import { expect } from 'chai';
import fc from 'fast-check';
import { allowsRestart, childrenToRestart, defaultRestartIntensity, shouldRestart } from '../../../machines/restart-policy.ts';

describe('restart-policy', () => {
  describe('allowsRestart', () => {
    it('allows restarts up to the intensity and refuses the next one', () => {
      expect(allowsRestart(0, 3)).to.equal(true);
      expect(allowsRestart(2, 3)).to.equal(true);
      expect(allowsRestart(3, 3)).to.equal(false);
    });

    it('refuses every restart when the intensity is zero', () => {
      expect(allowsRestart(0, 0)).to.equal(false);
    });

    it('defaults to 3 restarts in 5000 ms, like Elixir', () => {
      expect(defaultRestartIntensity).to.deep.equal({ intensity: 3, periodMs: 5000 });
    });
  });

  describe('shouldRestart', () => {
    it('restarts permanent children after a crash and after a normal exit', () => {
      expect(shouldRestart('permanent', 'crash')).to.equal(true);
      expect(shouldRestart('permanent', 'normal')).to.equal(true);
    });

    it('restarts transient children only after a crash', () => {
      expect(shouldRestart('transient', 'crash')).to.equal(true);
      expect(shouldRestart('transient', 'normal')).to.equal(false);
    });

    it('never restarts temporary children', () => {
      expect(shouldRestart('temporary', 'crash')).to.equal(false);
      expect(shouldRestart('temporary', 'normal')).to.equal(false);
    });
  });

  describe('childrenToRestart', () => {
    it('restarts only the crashed child under one_for_one', () => {
      expect(childrenToRestart('one_for_one', 4, 2)).to.deep.equal([2]);
    });

    it('restarts every child under one_for_all', () => {
      expect(childrenToRestart('one_for_all', 4, 2)).to.deep.equal([0, 1, 2, 3]);
    });

    it('restarts the crashed child and those started after it under rest_for_one', () => {
      expect(childrenToRestart('rest_for_one', 4, 1)).to.deep.equal([1, 2, 3]);
    });

    it('restarts nothing for an index outside the children', () => {
      expect(childrenToRestart('one_for_all', 3, 3)).to.deep.equal([]);
      expect(childrenToRestart('one_for_one', 3, -1)).to.deep.equal([]);
    });

    it('always includes the crashed child and returns indexes in start order', () => {
      fc.assert(
        fc.property(
          fc.constantFrom('one_for_one' as const, 'one_for_all' as const, 'rest_for_one' as const),
          fc.integer({ min: 1, max: 20 }).chain((count) => fc.tuple(fc.constant(count), fc.integer({ min: 0, max: count - 1 }))),
          (strategy, [count, crashed]) => {
            const indexes = childrenToRestart(strategy, count, crashed);
            expect(indexes).to.include(crashed);
            expect(indexes).to.deep.equal([...indexes].sort((a, b) => a - b));
            expect(indexes.every((index) => index >= 0 && index < count)).to.equal(true);
          },
        ),
      );
    });
  });
});
