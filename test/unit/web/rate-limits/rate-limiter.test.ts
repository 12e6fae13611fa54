import { expect } from 'chai';
import { RateLimiter, type RateLimitDenial, type RateLimitSettings } from '../../../../web/rate-limits/rate-limiter.ts';
import { httpTierOf, wsTierOf } from '../../../../web/protocol/rate-limit-tiers.ts';

function limiterAt(clock: { now: number }, settings?: RateLimitSettings) {
  const denials: RateLimitDenial[] = [];
  const saved: RateLimitSettings[] = [];
  const limiter = new RateLimiter({
    enabled: true, now: () => clock.now, settings, onDenied: (denial) => denials.push(denial),
    persist: async (value) => {
      saved.push(structuredClone(value));
    },
  });
  return { limiter, denials, saved };
}

describe('RateLimiter', () => {
  it('spends the capacity, warns under 20% left, then denies with retry_after rounded up to whole seconds', () => {
    const clock = { now: 1_000_000 };
    const { limiter, denials } = limiterAt(clock);
    const agent = limiter.agentSubject('a');
    const results = Array.from({ length: 10 }, () => limiter.check(agent, 'ws', 'heavy'));
    expect(results.slice(0, 8).every((r) => r.ok && r.warning === null)).to.equal(true);
    // After the 9th call 1 of 10 is left (10%): the call goes through with a warning.
    expect(results[8]).to.deep.equal({ ok: true, warning: { tier: 'heavy', remaining: 1, capacity: 10 } });
    expect(results[9]).to.deep.equal({ ok: true, warning: { tier: 'heavy', remaining: 0, capacity: 10 } });
    const denied = limiter.check(agent, 'ws', 'heavy');
    // 10/min = one token per 6 s.
    expect(denied).to.deep.equal({ ok: false, tier: 'heavy', retryAfterMs: 6000, ignoredRetry: false });
    expect(denials).to.have.length(1);
    expect(denials[0]).to.include({ agentId: 'a', channel: 'ws', tier: 'heavy', retryAfterMs: 6000 });
  });

  it('refills lazily over the simulated clock, never past capacity', () => {
    const clock = { now: 0 };
    const { limiter } = limiterAt(clock);
    const agent = limiter.agentSubject('a');
    for (let i = 0; i < 60; i++) expect(limiter.check(agent, 'ws', 'normal').ok).to.equal(true);
    expect(limiter.check(agent, 'ws', 'normal').ok).to.equal(false);
    clock.now += 999;
    expect(limiter.check(agent, 'ws', 'normal')).to.include({ ok: false, retryAfterMs: 1000 });
    clock.now += 1;
    expect(limiter.check(agent, 'ws', 'normal').ok).to.equal(true);
    clock.now += 3_600_000;
    let allowed = 0;
    while (limiter.check(agent, 'ws', 'normal').ok) allowed++;
    expect(allowed).to.equal(60);
  });

  it('keeps ws and http, and each tier, in separate buckets', () => {
    const clock = { now: 0 };
    const { limiter } = limiterAt(clock);
    const agent = limiter.agentSubject('a');
    for (let i = 0; i < 10; i++) limiter.check(agent, 'ws', 'heavy');
    expect(limiter.check(agent, 'ws', 'heavy').ok).to.equal(false);
    expect(limiter.check(agent, 'http', 'heavy').ok).to.equal(true);
    expect(limiter.check(agent, 'ws', 'light').ok).to.equal(true);
  });

  it('marks a denial that came before the last retry_after as ignored', () => {
    const clock = { now: 0 };
    const { limiter } = limiterAt(clock);
    const agent = limiter.agentSubject('a');
    for (let i = 0; i < 10; i++) limiter.check(agent, 'ws', 'heavy');
    expect(limiter.check(agent, 'ws', 'heavy')).to.include({ ignoredRetry: false });
    clock.now += 100;
    expect(limiter.check(agent, 'ws', 'heavy')).to.include({ ignoredRetry: true });
    clock.now += 6000;
    expect(limiter.check(agent, 'ws', 'heavy').ok).to.equal(true);
    expect(limiter.check(agent, 'ws', 'heavy')).to.include({ ok: false, ignoredRetry: false });
  });

  it('applies an override with fresh buckets, exempts the whitelist, and persists both', async () => {
    const clock = { now: 0 };
    const { limiter, saved } = limiterAt(clock);
    const agent = limiter.agentSubject('a');
    for (let i = 0; i < 10; i++) limiter.check(agent, 'ws', 'heavy');
    await limiter.setOverride('a', { heavy: { capacity: 2, refill_rate_per_min: 1 } });
    expect(limiter.check(agent, 'ws', 'heavy').ok).to.equal(true);
    expect(limiter.check(agent, 'ws', 'heavy').ok).to.equal(true);
    expect(limiter.check(agent, 'ws', 'heavy')).to.include({ ok: false, retryAfterMs: 60_000 });
    await limiter.addToWhitelist('a');
    expect(limiter.check(agent, 'ws', 'heavy').ok).to.equal(true);
    expect(saved.at(-1)).to.deep.equal({ overrides: { a: { heavy: { capacity: 2, refill_rate_per_min: 1 } } }, whitelist: ['a'] });
    const restored = limiterAt(clock, saved.at(-1)).limiter;
    expect(restored.agentSubject('a').exempt).to.equal(true);
    expect(restored.view().overrides).to.deep.equal({ a: { heavy: { capacity: 2, refill_rate_per_min: 1 } } });
  });

  it('lists who was denied in the last minute', () => {
    const clock = { now: 0 };
    const { limiter } = limiterAt(clock);
    const ip = limiter.subject('ip:10.0.0.1');
    for (let i = 0; i < 11; i++) limiter.check(ip, 'http', 'heavy');
    expect(limiter.view().limited).to.deep.include({
      key: 'ip:10.0.0.1', agent_id: null, tier: 'heavy', channel: 'http', retry_after_ms: 6000, denied_at: 0, denials: 1,
    });
    clock.now += 60_000;
    expect(limiter.view().limited).to.deep.equal([]);
  });

  it('maps messages and routes to the reference tiers', () => {
    expect(['ping', 'list_agents', 'status'].map(wsTierOf)).to.deep.equal(['light', 'light', 'light']);
    expect(['task_complete', 'message', 'made_up'].map(wsTierOf)).to.deep.equal(['normal', 'normal', 'normal']);
    expect(wsTierOf('identify')).to.equal('heavy');
    expect(httpTierOf('POST', '/api/onboard/register')).to.equal('heavy');
    expect(httpTierOf('GET', '/api/tasks/:id')).to.equal('normal');
    expect(httpTierOf('GET', '/health')).to.equal(null);
  });
});
