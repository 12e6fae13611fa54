import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { metricCatalogue, metricsMarkdown, prometheusName } from '../../../runtime/metric-catalogue.ts';

describe('metric catalogue', () => {
  it('is what docs/metrics.md says (run npm run docs:metrics after changing it)', () => {
    const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
    expect(doc).to.equal(metricsMarkdown());
  });

  it('names every metric agentcom_*, snake case, counters ending in _total on Prometheus and units in base units', () => {
    const names = Object.values(metricCatalogue).map((definition) => definition.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const definition of Object.values(metricCatalogue)) {
      expect(definition.name).to.match(/^agentcom_[a-z_]+$/);
      expect(definition.name).to.not.match(/_total$/);
      if (definition.kind.includes('counter') && definition.kind !== 'updown_counter') expect(prometheusName(definition)).to.match(/_total$/);
      if (definition.unit === 's') expect(definition.name).to.match(/_seconds$/);
      if (definition.unit === 'By') expect(definition.name).to.match(/_bytes$/);
      expect(definition.name).to.not.match(/_(ms|milliseconds|kb|mb)$/);
    }
  });
});
