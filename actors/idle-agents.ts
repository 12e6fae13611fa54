// Connected idle agents with no claim in flight, grouped by capability set, so finding
// one for a task looks at the groups that can do it instead of every known agent.
// With 1,000 agents mostly busy, each submit scanned them all.
//
// Within a group the agent idle longest comes first (a Map keeps insertion order).
// The index is a cache of the agents' own state: whoever picks from it re-checks the
// entry (`stillFits`) and drops stale ones, and the scheduler's safety-net pass over
// every agent puts back any that a missed update left out.
/** What the index reads of an agent's entry (actors/agent-registry.ts). */
interface Agent {
  readonly agentId: string;
  identity: { capabilities: readonly string[] };
}

interface Member<E> {
  entry: E;
  /** When the agent joined the index: older first across groups too. */
  since: number;
}

interface Group<E> {
  capabilities: ReadonlySet<string>;
  members: Map<string, Member<E>>;
}

export class IdleAgents<E extends Agent> {
  private readonly groups = new Map<string, Group<E>>();
  private readonly groupOfAgent = new Map<string, Group<E>>();
  /** Groups able to do a task, by the task's needed-capabilities key; cleared when a group appears. */
  private readonly fitting = new Map<string, Group<E>[]>();
  private nextSince = 0;

  add(entry: E): void {
    const key = keyOf(entry.identity.capabilities);
    const current = this.groupOfAgent.get(entry.agentId);
    if (current && current === this.groups.get(key)) return;
    if (current) this.remove(entry.agentId);
    let group = this.groups.get(key);
    if (!group) {
      group = { capabilities: new Set(entry.identity.capabilities), members: new Map() };
      this.groups.set(key, group);
      this.fitting.clear();
    }
    group.members.set(entry.agentId, { entry, since: this.nextSince++ });
    this.groupOfAgent.set(entry.agentId, group);
  }

  remove(agentId: string): void {
    const group = this.groupOfAgent.get(agentId);
    if (!group) return;
    group.members.delete(agentId);
    this.groupOfAgent.delete(agentId);
  }

  /**
   * The agent idle longest among those able to do a task needing `needed`, for which
   * `stillFits` holds. Entries it rejects as `stale` leave the index; `wait` ones stay.
   */
  first(needed: readonly string[], stillFits: (entry: E) => 'yes' | 'wait' | 'stale'): E | null {
    let best: Member<E> | null = null;
    for (const group of this.groupsFor(needed)) {
      for (const member of group.members.values()) {
        if (best && member.since > best.since) break;
        const fits = stillFits(member.entry);
        if (fits === 'stale') {
          this.remove(member.entry.agentId);
          continue;
        }
        if (fits === 'yes') {
          best = member;
          break;
        }
      }
    }
    return best?.entry ?? null;
  }

  private groupsFor(needed: readonly string[]): Group<E>[] {
    const key = keyOf(needed);
    let groups = this.fitting.get(key);
    if (!groups) {
      groups = [...this.groups.values()].filter((group) => needed.every((capability) => group.capabilities.has(capability)));
      this.fitting.set(key, groups);
    }
    return groups;
  }
}

// JSON keeps the key unambiguous whatever characters a capability holds.
const keyOf = (capabilities: readonly string[]) => JSON.stringify([...new Set(capabilities)].sort());
