import { expect } from 'chai';
import { fencingAtRisk, serializesCompareAndSet } from '../../../../storage/jetstream/nats-server-version.ts';

describe('nats-server releases and compare-and-set (storage/jetstream/nats-server-version.ts)', () => {
  const cases: Array<[string | undefined, boolean]> = [
    ['2.9.10', false], ['2.9.20', false], ['2.9.21', true], ['2.9.25', true], ['2.10.0', true], ['2.10.4-beta.2', true],
    ['v2.11.1', true], ['3.0.0', true], ['1.4.1', false], ['2.8.4', false], ['', false], [undefined, false], ['garbage', false],
  ];
  for (const [version, safe] of cases) {
    it(`${JSON.stringify(version)} ${safe ? 'orders' : 'may double-accept'} concurrent compare-and-set writes`, () => {
      expect(serializesCompareAndSet(version)).to.equal(safe);
    });
  }

  it('puts fencing at risk only on a server in a cluster whose release lacks the fix', () => {
    expect(fencingAtRisk({ version: '2.9.10', cluster: 'prod' })).to.equal(true);
    expect(fencingAtRisk({ version: '2.9.10' })).to.equal(false);
    expect(fencingAtRisk({ version: '2.10.7', cluster: 'prod' })).to.equal(false);
    expect(fencingAtRisk(undefined)).to.equal(false);
  });
});
