import { expect } from 'chai';
import { openLmdbStore, type LmdbStore } from '../../../storage/lmdb-store.ts';
import { TokenStore } from '../../../storage/token-store.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

describe('TokenStore', () => {
  let dir: TempDir;
  let store: LmdbStore;
  let tokens: TokenStore;

  beforeEach(() => {
    dir = makeTempDir('tokens');
    store = openLmdbStore({ path: dir.path });
    tokens = TokenStore.open(store.tokens, store, () => 1_000);
  });

  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('creates 64-hex tokens that verify to their owner', async () => {
    const { token, record } = await tokens.create({ scope: 'agent', agentId: 'agent-1', name: 'agent-1' });
    expect(token).to.match(/^[0-9a-f]{64}$/);
    expect(record).to.include({ scope: 'agent', agent_id: 'agent-1', token_prefix: token.slice(0, 8), created_at: 1_000 });
    expect(tokens.verify(token)).to.deep.equal({ scope: 'agent', agentId: 'agent-1', name: 'agent-1' });
  });

  it('never stores the plain token', async () => {
    const { token } = await tokens.create({ scope: 'admin', name: 'ops' });
    const stored = JSON.stringify([...store.tokens.getRange()]);
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
    let clock = 1;
    const timed = TokenStore.open(store.tokens, store, () => clock++);
    await timed.create({ scope: 'admin', name: 'ops' });
    await timed.create({ scope: 'agent', agentId: 'a', name: 'a' });
    const list = timed.list();
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

  it('keeps tokens across a reopen of the environment', async () => {
    const { token } = await tokens.create({ scope: 'agent', agentId: 'a', name: 'a' });
    await store.close();
    store = openLmdbStore({ path: dir.path });
    tokens = TokenStore.open(store.tokens, store);
    expect(tokens.verify(token)).to.deep.include({ agentId: 'a' });
  });
});
