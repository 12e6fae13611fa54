import { expect } from 'chai';
import { parseRelayFrame } from '../../../storage/relay-frame.ts';

describe('relay frames between hubs', () => {
  it('accepts a topic push, a mailbox notice and a membership change', () => {
    for (const frame of [
      { kind: 'topic', hub: 'hub-a', topic: 'broadcast', frame: { type: 'message', payload: { n: 1 } } },
      { kind: 'mail', hub: 'hub-a', to: 'bob', seq: 7 },
      { kind: 'membership', hub: 'hub-a', agent_id: 'bob', topic: 'channel:reviews', joined: true },
    ]) expect(parseRelayFrame(frame)).to.deep.equal({ frame });
  });

  it('refuses anything else with the field that is wrong', () => {
    expect(parseRelayFrame({ kind: 'mail', hub: 'hub-a', to: 'bob', seq: 0 })).to.deep.equal({ error: '/seq must be >= 1' });
    expect(parseRelayFrame({ kind: 'topic', hub: 'hub-a', topic: 'broadcast', frame: { payload: 1 } })).to.deep.equal({ error: "/frame must have required property 'type'" });
    expect(parseRelayFrame({ kind: 'shout', hub: 'hub-a' })).to.deep.equal({ error: '/kind must be one of topic, mail, membership' });
    expect(parseRelayFrame('not an object')).to.have.property('error');
  });
});
