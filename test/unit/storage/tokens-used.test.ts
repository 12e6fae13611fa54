import { expect } from 'chai';
import { tokensUsed } from '../../../storage/tokens-used.ts';

describe('tokensUsed', () => {
  it('takes the reported count first', () => {
    expect(tokensUsed(120, { tokens_used: 5 })).to.equal(120);
  });

  it('falls back to result.tokens_used when the report has none', () => {
    expect(tokensUsed(null, { tokens_used: 42 })).to.equal(42);
    expect(tokensUsed(undefined, { tokens_used: 42 })).to.equal(42);
  });

  it('is null without a count, or when the result holds no whole non-negative number', () => {
    expect(tokensUsed(null, null)).to.equal(null);
    expect(tokensUsed(null, 'text')).to.equal(null);
    expect(tokensUsed(null, { tokens_used: '42' })).to.equal(null);
    expect(tokensUsed(null, { tokens_used: 1.5 })).to.equal(null);
    expect(tokensUsed(null, { tokens_used: -1 })).to.equal(null);
  });
});
