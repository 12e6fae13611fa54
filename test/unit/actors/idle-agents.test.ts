import { expect } from 'chai';
import type { AgentEntry } from '../../../actors/agent-registry.ts';
import { IdleAgents } from '../../../actors/idle-agents.ts';

const agent = (agentId: string, capabilities: string[]) => ({ agentId, identity: { agentId, name: agentId, status: 'idle', capabilities } }) as unknown as AgentEntry;

describe('IdleAgents: idle agents by capability set', () => {
  it('finds the agent idle longest among those able to do the task, across groups', () => {
    const idle = new IdleAgents<AgentEntry>();
    const py = agent('py', ['python']);
    const rust = agent('rust', ['rust']);
    const both = agent('both', ['rust', 'python']);
    idle.add(rust);
    idle.add(py);
    idle.add(both);
    const always = () => 'yes' as const;
    expect(idle.first(['python'], always)?.agentId).to.equal('py');
    expect(idle.first(['rust'], always)?.agentId).to.equal('rust');
    expect(idle.first(['python', 'rust'], always)?.agentId).to.equal('both');
    expect(idle.first([], always)?.agentId).to.equal('rust');
    expect(idle.first(['go'], always)).to.equal(null);
    idle.remove('rust');
    expect(idle.first(['rust'], always)?.agentId).to.equal('both');
  });

  it('skips agents that must wait, and drops the ones that are no longer idle', () => {
    const idle = new IdleAgents<AgentEntry>();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => agent(id, ['go']));
    for (const entry of [a, b, c]) idle.add(entry!);
    const checked: string[] = [];
    const fits = (entry: AgentEntry) => {
      checked.push(entry.agentId);
      return entry === a ? 'stale' as const : entry === b ? 'wait' as const : 'yes' as const;
    };
    expect(idle.first(['go'], fits)?.agentId).to.equal('c');
    checked.length = 0;
    expect(idle.first(['go'], fits)?.agentId).to.equal('c');
    // `a` left the index on the first look; `b` is still there, resting.
    expect(checked).to.deep.equal(['b', 'c']);
  });

  it('moves an agent whose capabilities changed to its new group', () => {
    const idle = new IdleAgents<AgentEntry>();
    const entry = agent('x', ['go']);
    idle.add(entry);
    (entry.identity as { capabilities: string[] }).capabilities = ['rust'];
    idle.add(entry);
    expect(idle.first(['go'], () => 'yes')).to.equal(null);
    expect(idle.first(['rust'], () => 'yes')?.agentId).to.equal('x');
  });
});
