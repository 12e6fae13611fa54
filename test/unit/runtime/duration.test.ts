import { expect } from 'chai';
import { resolveConfig } from '../../../runtime/config.ts';
import { durationMs } from '../../../runtime/duration.ts';

describe('durations in config', () => {
  it('reads units and bare milliseconds', () => {
    expect(['500ms', '45s', '30m', '12h', '7d', '250', '0'].map((text) => durationMs(text)))
      .to.deep.equal([500, 45_000, 1_800_000, 43_200_000, 604_800_000, 250, 0]);
    expect(durationMs(1234)).to.equal(1234);
  });

  it('defaults retention to 7 days for finished tasks and 30 for dead letters, and refuses a bad value naming the key', () => {
    const defaults = resolveConfig({});
    if (!defaults.ok) throw new Error(defaults.detail);
    expect(durationMs(defaults.value.retention_completed)).to.equal(7 * 86_400_000);
    expect(durationMs(defaults.value.retention_dead_letter)).to.equal(30 * 86_400_000);
    const bad = resolveConfig({ retention_completed: '7 days' });
    expect(bad).to.deep.include({ ok: false, code: 'AC_ERR_CONFIG_INVALID' });
    expect((bad as { detail: string }).detail).to.match(/^config key retention_completed: /);
  });
});
