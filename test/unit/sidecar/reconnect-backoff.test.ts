import { expect } from 'chai';
import { backoffCapMs, reconnectBackoff } from '../../../sidecar/reconnect-backoff.ts';

const middle = () => 0.5;

describe('reconnectBackoff', () => {
  it('waits one second before the first retry', () => {
    expect(reconnectBackoff(0, middle)).to.equal(1_000);
  });

  it('doubles the delay after each failed attempt', () => {
    const delays = [0, 1, 2, 3, 4, 5].map((attempt) => reconnectBackoff(attempt, middle));
    expect(delays).to.deep.equal([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it('never waits longer than 60 seconds, even at the top of the jitter', () => {
    for (const attempt of [6, 7, 20, 1_000]) {
      expect(reconnectBackoff(attempt, () => 0.9999)).to.equal(backoffCapMs);
    }
  });

  it('spreads delays by at most 20% either way', () => {
    expect(reconnectBackoff(2, () => 0)).to.equal(3_200);
    expect(reconnectBackoff(2, () => 0.9999)).to.be.within(4_799, 4_800);
  });

  it('treats a negative attempt count as the first attempt', () => {
    expect(reconnectBackoff(-3, middle)).to.equal(1_000);
  });
});
