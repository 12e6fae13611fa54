import { expect } from 'chai';
import { Ajv } from 'ajv';
import { alertRuleIds, alertThresholdsSchema } from '../../../../storage/domain/alert-thresholds.ts';
import { defaultAlertThresholds, mergeThresholds } from '../../../../machines/alert-rules.ts';
import { alertThresholdsBodySchema } from '../../../../web/protocol/observability-bodies.ts';

describe('alert thresholds, declared once', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const inForce = ajv.compile(alertThresholdsSchema);
  const body = ajv.compile(alertThresholdsBodySchema);

  it('has defaults within the limits a PUT is held to, with a cooldown for every rule', () => {
    expect(inForce(defaultAlertThresholds), ajv.errorsText(inForce.errors)).to.equal(true);
    expect(Object.keys(defaultAlertThresholds.cooldowns).sort()).to.deep.equal([...alertRuleIds].sort());
    expect(body(defaultAlertThresholds), ajv.errorsText(body.errors)).to.equal(true);
  });

  it('takes in a PUT any subset of the thresholds, within the same limits', () => {
    expect(body({ failure_rate_pct: 40, cooldowns: { stuck_tasks: 0 } })).to.equal(true);
    expect(body({ failure_rate_pct: 101 })).to.equal(false);
    expect(body({ check_interval_ms: 99 })).to.equal(false);
    expect(body({ cooldowns: { no_such_rule: 1 } })).to.equal(false);
    expect(inForce(mergeThresholds({ check_interval_ms: 99 }))).to.equal(false);
  });
});
