// The token store behaviour both homes must have (LMDB for one hub, JetStream KV for a
// cluster): each engine's test file runs this suite against its real store.
import { expect } from 'chai';
import type { TokenStore } from '../../storage/token-store.ts';

export interface TokenStoreHarness {
  /** A store with no tokens in it, on `now`'s clock. */
  openFresh(now?: () => number): Promise<TokenStore>;
  /** The same tokens, opened again (after the current store closed). */
  openAgain(): Promise<TokenStore>;
  /** Everything the store holds, as text (to look for secrets in). */
  storedText(): Promise<string>;
  close(store: TokenStore): Promise<void>;
}

export function tokenStoreBehaviour(harness: TokenStoreHarness): void {
  let tokens: TokenStore;

  beforeEach(async () => {
    tokens = await harness.openFresh(() => 1_000);
  });

  afterEach(async () => {
    await harness.close(tokens);
  });

  it('creates 64-hex tokens that verify to their owner', async () => {
    const { token, record } = await tokens.create({ scope: 'agent', agentId: 'agent-1', name: 'agent-1' });
    expect(token).to.match(/^[0-9a-f]{64}$/);
    expect(record).to.include({ scope: 'agent', agent_id: 'agent-1', token_prefix: token.slice(0, 8), created_at: 1_000 });
    expect(tokens.verify(token)).to.deep.equal({ scope: 'agent', agentId: 'agent-1', name: 'agent-1' });
  });

  it('never stores the plain token', async () => {
    const { token } = await tokens.create({ scope: 'admin', name: 'ops' });
    const stored = await harness.storedText();
    expect(stored).not.to.contain(token);
    expect(stored).to.contain(token.slice(0, 8));
  });

  it('rejects unknown, malformed and near-miss tokens', async () => {
    const { token } = await tokens.create({ scope: 'admin', name: 'ops' });
    const flipped = (token[0] === 'a' ? 'b' : 'a') + token.slice(1);
    expect(tokens.verify(flipped)).to.equal(null);
    expect(tokens.verify('')).to.equal(null);
    expect(tokens.verify(token.toUpperCase())).to.equal(null);
    expect(tokens.verify(`${token}0`)).to.equal(null);
  });

  it('refuses an agent token without an agent id', async () => {
    let thrown: unknown = null;
    await tokens.create({ scope: 'agent', name: 'x' }).catch((error: unknown) => { thrown = error; });
    expect(thrown).to.be.instanceOf(Error);
  });

  it('lists records oldest first without secrets', async () => {
    await harness.close(tokens);
    let clock = 1;
    tokens = await harness.openFresh(() => clock++);
    await tokens.create({ scope: 'admin', name: 'ops' });
    await tokens.create({ scope: 'agent', agentId: 'a', name: 'a' });
    const list = tokens.list();
    expect(list.map((r) => r.name)).to.deep.equal(['ops', 'a']);
    expect(list[1]).to.include({ scope: 'agent', agent_id: 'a' });
  });

  it('revokes every token of one agent and leaves the others', async () => {
    const first = await tokens.create({ scope: 'agent', agentId: 'a', name: 'a' });
    const second = await tokens.create({ scope: 'agent', agentId: 'a', name: 'a' });
    const other = await tokens.create({ scope: 'agent', agentId: 'b', name: 'b' });
    expect(tokens.hasAgent('a')).to.equal(true);
    expect(await tokens.revokeAgent('a')).to.equal(2);
    expect(tokens.verify(first.token)).to.equal(null);
    expect(tokens.verify(second.token)).to.equal(null);
    expect(tokens.verify(other.token)).to.not.equal(null);
    expect(tokens.hasAgent('a')).to.equal(false);
    expect(await tokens.revokeAgent('a')).to.equal(0);
  });

  it('keeps tokens and revocations across a reopen', async () => {
    const { token } = await tokens.create({ scope: 'agent', agentId: 'a', name: 'a' });
    const gone = await tokens.create({ scope: 'agent', agentId: 'b', name: 'b' });
    await tokens.revokeAgent('b');
    await harness.close(tokens);
    tokens = await harness.openAgain();
    expect(tokens.verify(token)).to.deep.include({ agentId: 'a' });
    expect(tokens.verify(gone.token)).to.equal(null);
    expect(tokens.list().map((record) => record.agent_id)).to.deep.equal(['a']);
  });
}
