// Agent sessions: an agent's socket coming and going, its liveness and status, the
// agents as listed (across hubs on a cluster), and the rest a rate-limit denial earns.
import { agentSystemId } from '../../actors/agent-actors.ts';
import { stateOf, viewOf, type AgentEntry } from '../../actors/agent-registry.ts';
import type { AgentDirectory } from '../../storage/agent-directory.ts';
import type { AgentIdentity } from '../../storage/domain/agent-identity.ts';
import type { AnyAgentLink } from '../../storage/domain/agent-link.ts';
import type { AgentView } from '../../storage/domain/agent-view.ts';
import type { AgentSessionsPort, AgentSocketLink } from '../../web/ports/agent-sessions-port.ts';
import type { RateLimitDenial } from '../../web/rate-limits/rate-limiter.ts';
import type { Approvals } from '../approvals.ts';
import type { Messaging } from '../messaging.ts';
import type { HubContext } from './hub-context.ts';

/** An agent denied by a rate limit is not scheduled for this long (reference §8). */
const rateLimitRestMs = 60_000;

export interface AgentSessionsDeps {
  directory: AgentDirectory;
  messaging: Messaging;
  /** Agents' questions; a reconnecting agent gets its answered ones again. */
  approvals: Approvals | null;
}

export class AgentSessions implements AgentSessionsPort {
  constructor(private readonly ctx: HubContext, private readonly deps: AgentSessionsDeps) {}

  agentConnected(identity: AgentIdentity, link: AgentSocketLink): void {
    const { agents, agentActors, fleet, events } = this.ctx;
    const now = this.ctx.now();
    const entry = agentActors.ensure(identity);
    const previous = entry.link;
    agents.identified(entry, identity, link, now);
    if (previous && previous.linkId !== link.linkId) previous.close(4000, 'replaced by a newer connection');
    if (stateOf(entry) === 'offline') {
      entry.actor.send({ type: 'agent.connected', resume: agentActors.heldTaskOf(identity.agentId) });
      fleet.agentConnected(identity.agentId);
    }
    void this.deps.directory.remember({ agentId: identity.agentId, name: identity.name, capabilities: identity.capabilities, lastSeen: now });
    this.deps.messaging.agentConnected(identity.agentId, link);
    this.deps.approvals?.agentConnected(identity.agentId);
    events.emit('agent.joined', now, { agent: entry });
  }

  agentDisconnected(agentId: string, link: AnyAgentLink): void {
    const entry = this.ctx.agents.get(agentId);
    // An older socket closing must not take down the newer one (reference quirk 4).
    if (!entry || entry.link?.linkId !== link.linkId) return;
    this.ctx.agents.disconnected(entry);
    entry.actor.send({ type: 'agent.disconnected' });
    this.ctx.events.emit('agent.left', this.ctx.now(), { agent: entry });
  }

  agentSeen(agentId: string): void {
    const entry = this.ctx.agents.get(agentId);
    if (entry) this.ctx.agents.seen(entry, this.ctx.now());
  }

  setAgentStatus(agentId: string, status: string): void {
    const entry = this.ctx.agents.get(agentId);
    if (!entry) return;
    this.ctx.agents.setStatus(entry, status);
    this.ctx.events.emit('agent.status_changed', this.ctx.now(), { agent: entry });
  }

  /** Removes an agent whose tokens were revoked: its held task goes back to the queue and it leaves the board. */
  async forget(agentId: string): Promise<void> {
    const entry = this.ctx.agents.get(agentId);
    entry?.link?.close(4001, 'token revoked');
    if (entry) {
      entry.actor.send({ type: 'agent.disconnected' });
      this.ctx.agentActors.forget(agentId);
      this.ctx.snapshots?.remove(agentSystemId(agentId));
      this.ctx.events.emit('agent.removed', this.ctx.now(), { agentId });
    }
    await this.deps.directory.forget(agentId);
  }

  listAgents(): AgentView[] {
    const cluster = this.ctx.cluster;
    if (!cluster) return [...this.ctx.agents.all()].map((entry) => this.agentView(entry));
    // Across hubs: this hub's connected agents, then every other live hub's, each with its hub.
    const here = [...this.ctx.agents.all()].filter((entry) => entry.link || !cluster.hubOf(entry.agentId))
      .map((entry) => ({ ...this.agentView(entry), hub: cluster.hubName }));
    return [...here, ...cluster.otherAgents()];
  }

  agentState(agentId: string): AgentView | undefined {
    const entry = this.ctx.agents.get(agentId);
    return entry && this.agentView(entry);
  }

  agentView(entry: AgentEntry): AgentView {
    const view = viewOf(entry);
    const since = this.ctx.fleet.noProgressSince(view.current_task_id);
    return since === null ? view : { ...view, no_progress_since: since };
  }

  /** Another hub serves this agent now: its tasks are that hub's to watch. */
  heldElsewhere(agentId: string): boolean {
    return !!this.ctx.cluster && !this.ctx.agents.get(agentId)?.link && this.ctx.cluster.hubOf(agentId) !== null;
  }

  /**
   * Every rate-limit denial lands here (hook metrics here): the agent rests from
   * scheduling for a minute, and the first denial of each retry window is logged and
   * published as a `rate_limited` hub event. Denials of a client that keeps sending
   * within its retry_after only count toward the socket's escalation.
   */
  rateLimitDenied(denial: RateLimitDenial): void {
    if (denial.agentId) {
      const entry = this.ctx.agents.get(denial.agentId);
      if (entry) {
        const wasResting = entry.restUntil > denial.at;
        this.ctx.agents.restUntil(entry, Math.max(entry.restUntil, denial.at + rateLimitRestMs));
        if (!wasResting) setTimeout(() => this.ctx.scheduler.agentIdle(entry.agentId), rateLimitRestMs + 10).unref();
      }
    }
    // Every denial is counted (metrics); a client that ignores its retry_after is logged and shown once per window.
    this.ctx.events.emit('rate.limited', denial.at, {
      key: denial.key, agentId: denial.agentId, channel: denial.channel, tier: denial.tier, retryAfterMs: denial.retryAfterMs,
      repeated: denial.ignoredRetry,
    });
    if (denial.ignoredRetry) return;
    this.ctx.log.notice('rate limited', {
      code: 'AC_ERR_RATE_LIMITED', agent_id: denial.agentId, key: denial.key, channel: denial.channel, tier: denial.tier, retry_after_ms: denial.retryAfterMs,
    });
  }
}
