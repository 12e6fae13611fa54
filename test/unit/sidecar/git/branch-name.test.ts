import { expect } from 'chai';
import { branchNameFor, firstFreeBranch, slugify } from '../../../../sidecar/git/branch-name.ts';
import { compareUrlFor } from '../../../../sidecar/git/compare-url.ts';
import { prTitle } from '../../../../sidecar/git/submit.ts';

describe('branchNameFor', () => {
  it('gives gcu-* agents different prefixes (quirk 11)', () => {
    expect(branchNameFor('gcu-sleeper-service', 't', 'fix it')).to.equal('gcu-sleeper-service/fix-it');
    expect(branchNameFor('gcu-grey-area', 't', 'fix it')).to.equal('gcu-grey-area/fix-it');
  });

  it('cuts the agent slug to 24 characters and the task slug to 40', () => {
    const [agent, task] = branchNameFor('a'.repeat(30), 't', 'b'.repeat(50)).split('/');
    expect(agent).to.have.length(24);
    expect(task).to.have.length(40);
  });

  it('reduces hostile titles to letters, digits and single hyphens', () => {
    const branch = branchNameFor('Agent One', 't', '../../etc/passwd; rm -rf ~ $(whoami) `id` ~^:?*[\\ x.lock @{1}');
    expect(branch).to.equal('agent-one/etc-passwd-rm-rf-whoami-id-x-lock-1');
  });

  it('falls back to the task id when the description has nothing usable', () => {
    expect(branchNameFor('a', 'task-00AB', '!!! ??? 日本語')).to.equal('a/task-00ab');
  });

  it('does not end a cut slug with a hyphen', () => {
    expect(slugify('abc def', 4)).to.equal('abc');
  });
});

describe('firstFreeBranch', () => {
  it('adds the first free numeric suffix instead of replacing a branch', () => {
    expect(firstFreeBranch('a/b', new Set(['a/b', 'a/b-2']))).to.equal('a/b-3');
    expect(firstFreeBranch('a/b', new Set(['other']))).to.equal('a/b');
  });
});

describe('compareUrlFor', () => {
  it('builds a compare link from ssh and https GitHub remotes', () => {
    expect(compareUrlFor('git@github.com:acme/hub.git', 'gcu-x/fix')).to.equal('https://github.com/acme/hub/compare/main...gcu-x/fix?expand=1');
    expect(compareUrlFor('https://github.com/acme/hub', 'b')).to.equal('https://github.com/acme/hub/compare/main...b?expand=1');
  });

  it('builds one for other forges and a file range for a local origin', () => {
    expect(compareUrlFor('https://gitlab.com/acme/tools/hub.git', 'a/b')).to.equal('https://gitlab.com/acme/tools/hub/-/compare/main...a/b');
    expect(compareUrlFor('git@bitbucket.org:acme/hub.git', 'b')).to.equal('https://bitbucket.org/acme/hub/branches/compare/b%0Dmain');
    expect(compareUrlFor('ssh://git@git.example.com:2222/acme/hub.git', 'b')).to.equal('https://git.example.com/acme/hub/compare/main...b');
    expect(compareUrlFor('/srv/git/hub.git', 'gcu/b')).to.equal('file:///srv/git/hub.git#main...gcu/b');
    expect(compareUrlFor('file:///srv/git/hub.git', 'b')).to.equal('file:///srv/git/hub.git#main...b');
    expect(compareUrlFor('not a url', 'b')).to.equal(null);
  });
});

describe('prTitle', () => {
  it('cuts a long description to 60 characters ending in ...', () => {
    const title = prTitle('x'.repeat(100));
    expect(title).to.have.length(60);
    expect(title.endsWith('...')).to.equal(true);
  });

  it('keeps a short description whole, on one line', () => {
    expect(prTitle('fix\nthe  bug')).to.equal('fix the bug');
  });
});
