import { expect } from 'chai';
import { classifyWriteError, commitCause, isCommitFailure } from '../../../storage/write-failure.ts';

describe('write failure classification', () => {
  it('calls ENOSPC, EDQUOT and MDB_MAP_FULL full, anything else an I/O failure', () => {
    expect(classifyWriteError(Object.assign(new Error('No space left on device: Attempting to write page'), { code: 28 })))
      .to.deep.equal({ kind: 'full', detail: 'No space left on device' });
    expect(classifyWriteError(Object.assign(new Error('MDB_MAP_FULL: Environment mapsize limit reached'), { code: -30792 })).kind).to.equal('full');
    expect(classifyWriteError(Object.assign(new Error('Disk quota exceeded'), { code: 122 })).kind).to.equal('full');
    expect(classifyWriteError(Object.assign(new Error('Input/output error'), { code: 5 }))).to.deep.equal({ kind: 'io', detail: 'Input/output error' });
  });

  it("reads the cause behind lmdb-js's Commit failed, and falls back to the error without one", async () => {
    const cause = Object.assign(new Error('No space left on device'), { code: 28 });
    const commitError = Promise.reject(cause);
    const failed = Object.assign(new Error('Commit failed (see commitError for details)'), { commitError });
    expect(await commitCause(failed)).to.equal(cause);
    const pending = Object.assign(new Error('Commit failed'), { commitError: new Promise(() => {}) });
    expect(await commitCause(pending)).to.equal(pending);
  });

  it('tells a failed commit from an exception thrown by our own transaction callback', () => {
    expect(isCommitFailure(Object.assign(new Error('Commit failed'), { commitError: Promise.resolve() }))).to.equal(true);
    expect(isCommitFailure(new TypeError('cannot read properties of undefined'))).to.equal(false);
  });
});
