import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { errors, fail, httpStatusOf } from '../../../../storage/domain/errors.ts';

describe('error catalogue', () => {
  const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');

  it('documents every code with a row in docs/errors.md', () => {
    const missing = Object.keys(errors).filter((code) => !doc.includes(`| \`${code}\` |`));
    expect(missing, 'codes without a row in docs/errors.md').to.deep.equal([]);
  });

  it('documents no code that the catalogue lacks', () => {
    const documented = [...doc.matchAll(/^\| `(AC_ERR_[A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect(documented.filter((code) => !(code in errors))).to.deep.equal([]);
  });

  it('fills the message template in order', () => {
    const failure = fail('AC_ERR_STALE_GENERATION', 'task-1', 3, 2);
    expect(failure).to.deep.equal({ ok: false, code: 'AC_ERR_STALE_GENERATION', detail: 'task task-1 is at generation 3, report carried 2' });
    expect(httpStatusOf('AC_ERR_STALE_GENERATION')).to.equal(409);
  });
});
