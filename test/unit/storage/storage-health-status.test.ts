import { expect } from 'chai';
import { staleBackupAfterMs, storageHealthStatus } from '../../../storage/storage-health-status.ts';

describe('storageHealthStatus (the reference rules)', () => {
  const now = 10 * staleBackupAfterMs;
  const fresh = now - 1000;
  const stale = now - staleBackupAfterMs - 1;
  const rows: Array<[string, number | null, number, string, boolean, boolean]> = [
    ['fresh backup, low fragmentation', fresh, 0.1, 'healthy', false, false],
    ['backup exactly 48 h old is not stale', now - staleBackupAfterMs, 0.1, 'healthy', false, false],
    ['fragmentation exactly 0.5 is not high', fresh, 0.5, 'healthy', false, false],
    ['stale backup only', stale, 0.1, 'warning', true, false],
    ['never backed up, low fragmentation', null, 0, 'warning', true, false],
    ['high fragmentation only', fresh, 0.51, 'warning', false, true],
    ['stale backup and high fragmentation', stale, 0.9, 'unhealthy', true, true],
    ['never backed up and high fragmentation', null, 0.6, 'unhealthy', true, true],
  ];
  for (const [name, lastBackupAt, fragmentation, status, staleBackup, high] of rows) {
    it(`${name}: ${status}`, () => {
      expect(storageHealthStatus({ lastBackupAt, fragmentation, now })).to.deep.equal({
        health_status: status, stale_backup: staleBackup, high_fragmentation: high,
      });
    });
  }
});
