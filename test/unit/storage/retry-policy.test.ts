import { expect } from 'chai';
import { retryBackoffMs } from '../../../storage/retry-policy.ts';

describe('retry policy', () => {
  it('doubles the pause per retry up to the cap, with half of it jittered', () => {
    expect([1, 2, 3, 4].map((n) => retryBackoffMs(n, 1_000, 5_000, () => 1))).to.deep.equal([1_000, 2_000, 4_000, 5_000]);
    expect([1, 2, 3, 4].map((n) => retryBackoffMs(n, 1_000, 5_000, () => 0))).to.deep.equal([500, 1_000, 2_000, 2_500]);
    expect(retryBackoffMs(80, 1_000, 0, () => 1)).to.be.finite;
  });

  it('has no pause without a base pause, as tasks stored before backoff', () => {
    expect(retryBackoffMs(1, 0, 0, () => 1)).to.equal(0);
  });
});
