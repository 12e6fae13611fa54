import { expect } from 'chai';
import { isCorruptionError } from '../../../storage/corruption-error.ts';

describe('isCorruptionError', () => {
  it('recognises LMDB corruption codes and messages', () => {
    expect(isCorruptionError(Object.assign(new Error('x'), { code: -30796 }))).to.equal(true);
    expect(isCorruptionError(new Error('MDB_PAGE_NOTFOUND: Requested page not found'))).to.equal(true);
  });

  it('leaves other failures alone (a full disk is not corruption)', () => {
    expect(isCorruptionError(new Error('MDB_MAP_FULL: Environment mapsize limit reached'))).to.equal(false);
    expect(isCorruptionError(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }))).to.equal(false);
    expect(isCorruptionError('MDB_CORRUPTED')).to.equal(false);
  });
});
