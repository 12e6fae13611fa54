import { expect } from 'chai';
import { decideAfterFailure, retryBackoffMs } from '../../../storage/retry-policy.ts';

const task = (retryCount: number, maxRetries: number, base = 1_000, cap = 60_000) => ({
  retry_count: retryCount, max_retries: maxRetries, retry_backoff_ms: base, retry_backoff_max_ms: cap,
});

describe('retry policy', () => {
  it('counts max_retries as retries after the first attempt', () => {
    expect(decideAfterFailure(task(0, 0), 0).kind).to.equal('dead_letter');
    expect(decideAfterFailure(task(0, 1), 0).kind).to.equal('retry');
    expect(decideAfterFailure(task(1, 1), 0).kind).to.equal('dead_letter');
    expect(decideAfterFailure(task(2, 3), 0)).to.include({ kind: 'retry', retryCount: 3 });
  });

  it('doubles the pause per retry up to the cap, with half of it jittered', () => {
    expect([1, 2, 3, 4].map((n) => retryBackoffMs(n, 1_000, 5_000, () => 1))).to.deep.equal([1_000, 2_000, 4_000, 5_000]);
    expect([1, 2, 3, 4].map((n) => retryBackoffMs(n, 1_000, 5_000, () => 0))).to.deep.equal([500, 1_000, 2_000, 2_500]);
    expect(retryBackoffMs(80, 1_000, 0, () => 1)).to.be.finite;
  });

  it('retries at once without a base pause, as tasks stored before backoff do', () => {
    expect(decideAfterFailure({ retry_count: 0, max_retries: 2 }, 10)).to.deep.equal({ kind: 'retry', retryCount: 1, backoffMs: 0, notBefore: 10 });
  });
});
