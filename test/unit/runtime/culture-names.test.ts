// The bundled Culture ship names and the agent ids made from them.
import { expect } from 'chai';
import { cultureShipNames, slugOf } from '../../../runtime/culture-names.ts';

describe('culture-names', () => {
  it('bundles at least 60 names that make distinct agent ids the hub accepts', () => {
    const slugs = cultureShipNames.map(slugOf);
    expect(cultureShipNames.length).to.be.at.least(60);
    expect(new Set(slugs).size).to.equal(slugs.length);
    for (const slug of slugs) expect(slug).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('lowercases, drops apostrophes and joins words with single hyphens', () => {
    expect(slugOf('So Much For Subtlety')).to.equal('so-much-for-subtlety');
    expect(slugOf("Me, I'm Counting")).to.equal('me-im-counting');
    expect(slugOf('  Funny, It Worked Last Time...  ')).to.equal('funny-it-worked-last-time');
    expect(slugOf('Ünïcode Ship')).to.equal('unicode-ship');
  });

  it('returns an empty id for a name with no letters or digits', () => {
    expect(slugOf('!!! ...')).to.equal('');
  });

  it('keeps an id within the 128 characters the hub allows', () => {
    const slug = slugOf('Word '.repeat(60));
    expect(slug.length).to.be.at.most(128);
    expect(slug).to.not.match(/-$/);
  });
});
