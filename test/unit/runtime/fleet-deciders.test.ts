// The pure deciders of fleet control: cumulative tokens, the daily budgets, the no-progress window.
import { expect } from 'chai';
import { cumulativeTokens, overBudget, tokensAdded } from '../../../storage/tokens-used.ts';
import { nextUtcMidnight, utcDay } from '../../../storage/token-ledger.ts';
import { ProgressWatch } from '../../../runtime/progress-watch.ts';

describe('cumulative tokens', () => {
  it('keeps the highest count reported: a lower, out-of-order report changes nothing', () => {
    expect(cumulativeTokens(null, 100)).to.equal(100);
    expect(cumulativeTokens(100, 250)).to.equal(250);
    expect(cumulativeTokens(250, 100)).to.equal(250);
    expect(cumulativeTokens(250, null)).to.equal(250);
    expect(cumulativeTokens(null, null)).to.equal(null);
  });

  it('charges only what a report added', () => {
    expect(tokensAdded(null, 100)).to.equal(100);
    expect(tokensAdded(100, 250)).to.equal(150);
    expect(tokensAdded(250, 250)).to.equal(0);
    expect(tokensAdded(null, null)).to.equal(0);
  });

  it('is over budget only past it, and never without a budget', () => {
    expect(overBudget({ tokens_used: 250, budget_tokens: 250 })).to.equal(false);
    expect(overBudget({ tokens_used: 251, budget_tokens: 250 })).to.equal(true);
    expect(overBudget({ tokens_used: 10_000, budget_tokens: null })).to.equal(false);
    expect(overBudget({ tokens_used: 10_000 })).to.equal(false);
    expect(overBudget({ tokens_used: null, budget_tokens: 1 })).to.equal(false);
  });
});

describe('UTC days', () => {
  it('names the UTC day and finds the next UTC midnight, whatever the local zone', () => {
    const lateEvening = Date.UTC(2026, 11, 31, 23, 59, 59);
    expect(utcDay(lateEvening)).to.equal('2026-12-31');
    expect(nextUtcMidnight(lateEvening)).to.equal(Date.UTC(2027, 0, 1));
    expect(utcDay(nextUtcMidnight(lateEvening))).to.equal('2027-01-01');
  });
});

describe('ProgressWatch', () => {
  it('flags a task once when its reports show no change for the window, and clears on a change', () => {
    const watch = new ProgressWatch(1_000);
    watch.started('t1', 'a1', 0);
    watch.reported('t1', 'a1', { progress: 1, tokensUsed: 10 }, 100);
    watch.reported('t1', 'a1', { progress: 1, tokensUsed: 10 }, 900);
    expect(watch.newlyStalled(1_000, () => true)).to.deep.equal([]);
    expect(watch.newlyStalled(1_100, () => true)).to.deep.equal([{ taskId: 't1', agentId: 'a1', sinceMs: 1_000 }]);
    expect(watch.flaggedSince('t1')).to.equal(100);
    expect(watch.newlyStalled(5_000, () => true)).to.deep.equal([]);
    watch.reported('t1', 'a1', { progress: 2, tokensUsed: 10 }, 5_100);
    expect(watch.flaggedSince('t1')).to.equal(null);
  });

  it('forgets tasks that ended, and does nothing when off', () => {
    const watch = new ProgressWatch(1_000);
    watch.started('t1', 'a1', 0);
    expect(watch.newlyStalled(2_000, () => false)).to.deep.equal([]);
    expect(watch.flaggedSince('t1')).to.equal(null);
    const off = new ProgressWatch(0);
    off.started('t2', 'a1', 0);
    expect(off.newlyStalled(1e9, () => true)).to.deep.equal([]);
  });
});
