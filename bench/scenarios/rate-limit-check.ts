// Cost of one rate-limit check on the hot path (issue 15: "a few µs at most"): the
// socket's subject is already in its data, so a check is a refill and a subtraction.
import { performance } from 'node:perf_hooks';
import { RateLimiter } from '../../web/rate-limits/rate-limiter.ts';
import type { Scenario } from '../lib/scenario.ts';
import { fmt } from '../lib/table-format.ts';

function nsPerCheck(checks: number, run: () => void): number {
  const started = performance.now();
  for (let i = 0; i < checks; i++) run();
  return ((performance.now() - started) * 1e6) / checks;
}

export const rateLimitCheckScenario: Scenario = {
  name: 'rate-limit-check',
  description: 'ns per token-bucket check: allowed, warned, denied; and per HTTP subject lookup',
  async run(ctx) {
    const checks = ctx.quick ? 200_000 : 2_000_000;
    let clock = 0;
    const limiter = new RateLimiter({ enabled: true, now: () => clock, onDenied: () => {} });
    // A huge bucket that never runs dry: the allowed path.
    await limiter.setOverride('fast', { normal: { capacity: 1e6, refill_rate_per_min: 1e7 } });
    const fast = limiter.agentSubject('fast');
    const allowed = nsPerCheck(checks, () => {
      clock += 1;
      limiter.check(fast, 'ws', 'normal');
    });
    const empty = limiter.agentSubject('empty');
    for (let i = 0; i < 60; i++) limiter.check(empty, 'ws', 'normal');
    const denied = nsPerCheck(checks, () => limiter.check(empty, 'ws', 'normal'));
    for (let i = 0; i < 10_000; i++) limiter.agentSubject(`agent-${i}`);
    const lookup = nsPerCheck(checks, () => {
      clock += 1;
      limiter.check(limiter.agentSubject('fast'), 'http', 'light');
    });
    return {
      status: 'measured',
      tables: [{
        title: `One check, in process (${checks.toLocaleString('en')} calls each; 10,000 other subjects known)`,
        columns: ['path', 'ns per check'],
        rows: [
          ['WS: allowed (subject in socket data)', fmt(allowed)],
          ['WS: denied (records the denial)', fmt(denied)],
          ['HTTP: subject lookup by key + allowed', fmt(lookup)],
        ],
      }],
      metrics: { allowedNs: allowed, deniedNs: denied, httpLookupNs: lookup },
      notes: ['Pure JS in the harness process; no sockets. The denied path calls an empty onDenied (the hub logs only the first denial per retry window).'],
    };
  },
};
