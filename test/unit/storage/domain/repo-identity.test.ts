// One repository written several ways is one repository for the leases.
import { expect } from 'chai';
import { normaliseRepo } from '../../../../storage/domain/repo-identity.ts';

describe('repository identity (normaliseRepo)', () => {
  it('drops surrounding spaces, trailing slashes and a .git suffix, in any order', () => {
    for (const written of ['git@host:team/app', 'git@host:team/app.git', 'git@host:team/app/', ' git@host:team/app.git/ ', 'git@host:team/app.git//']) {
      expect(normaliseRepo(written), written).to.equal('git@host:team/app');
    }
    expect(normaliseRepo('https://host/team/app.git')).to.equal('https://host/team/app');
  });

  it('keeps case and everything else as written, and never turns a name into the default repository', () => {
    expect(normaliseRepo('git@host:Team/App')).to.equal('git@host:Team/App');
    expect(normaliseRepo('/srv/git/app.github')).to.equal('/srv/git/app.github');
    expect(normaliseRepo('/')).to.equal('/');
    expect(normaliseRepo('.git')).to.equal('.git');
    expect(normaliseRepo('')).to.equal('');
  });
});
