import { expect } from 'chai';
import { xRange } from '../../../web/static/src/chart-range.ts';

describe('dashboard chart time axis', () => {
  it('shows the last hour when there are no samples or just one, else the data span', () => {
    const now = Date.UTC(2026, 11, 2, 9, 0, 0);
    expect(xRange(null, null, now)).to.deep.equal([now / 1000 - 3600, now / 1000]);
    expect(xRange(now / 1000, now / 1000, now)).to.deep.equal([now / 1000 - 3600, now / 1000]);
    expect(xRange(100, 200, now)).to.deep.equal([100, 200]);
  });
});
