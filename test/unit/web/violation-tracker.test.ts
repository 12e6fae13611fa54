import { expect } from 'chai';
import { ViolationTracker } from '../../../web/violation-tracker.ts';

function tracker() {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => { now += ms; } };
  return { tracker: new ViolationTracker(() => now), clock };
}

describe('ViolationTracker', () => {
  it('asks to close on the tenth violation inside the window', () => {
    const { tracker: t } = tracker();
    const socket = t.newSocket();
    const verdicts = Array.from({ length: 10 }, () => t.record(socket));
    expect(verdicts.slice(0, 9)).to.deep.equal(Array(9).fill(false));
    expect(verdicts[9]).to.equal(true);
  });

  it('starts a fresh window 60 s after the first violation', () => {
    const { tracker: t, clock } = tracker();
    const socket = t.newSocket();
    for (let i = 0; i < 9; i++) t.record(socket);
    clock.advance(60_000);
    expect(t.record(socket)).to.equal(false);
    expect(socket.count).to.equal(1);
  });

  it('closes when ten violations are spread over less than 60 s', () => {
    const { tracker: t, clock } = tracker();
    const socket = t.newSocket();
    for (let i = 0; i < 9; i++) {
      t.record(socket);
      clock.advance(6_000);
    }
    expect(t.record(socket)).to.equal(true);
  });

  it('counts sockets separately', () => {
    const { tracker: t } = tracker();
    const a = t.newSocket();
    const b = t.newSocket();
    for (let i = 0; i < 9; i++) t.record(a);
    expect(t.record(b)).to.equal(false);
    expect(t.record(a)).to.equal(true);
  });

  it('grows the identify cooldown 30 s, 60 s, then 300 s', () => {
    const { tracker: t, clock } = tracker();
    expect(t.cooldownRemainingMs('agent-1')).to.equal(0);
    expect(t.recordDisconnect('agent-1')).to.equal(30_000);
    expect(t.cooldownRemainingMs('agent-1')).to.equal(30_000);
    clock.advance(10_000);
    expect(t.cooldownRemainingMs('agent-1')).to.equal(20_000);
    clock.advance(20_000);
    expect(t.cooldownRemainingMs('agent-1')).to.equal(0);
    expect(t.recordDisconnect('agent-1')).to.equal(60_000);
    expect(t.recordDisconnect('agent-1')).to.equal(300_000);
    expect(t.recordDisconnect('agent-1')).to.equal(300_000);
    expect(t.cooldownRemainingMs('agent-2')).to.equal(0);
  });

  it('forgets an agent 10 min after its last disconnect', () => {
    const { tracker: t, clock } = tracker();
    t.recordDisconnect('agent-1');
    t.recordDisconnect('agent-1');
    clock.advance(10 * 60_000);
    expect(t.cooldownRemainingMs('agent-1')).to.equal(0);
    expect(t.trackedAgents).to.equal(0);
    expect(t.recordDisconnect('agent-1')).to.equal(30_000);
  });
});
