// Which hub each agent is connected to, across the cluster: every hub keeps one lease record
// in the hubs bucket (its name and its connected agents), renewed every third of the lease
// and at once when one of its agents joins, leaves or changes state.
//
// A hub is alive while its record was renewed within the lease, timed by when this hub
// received it (no clocks are compared across machines). A dead hub's agents are nowhere,
// so the tasks they hold fall to the ordinary reclaim rules of whichever hub sweeps first
// (each reclaim is a compare-and-set: one hub wins).
import type { KV } from '@nats-io/kv';
import { BucketFeed, type FeedEvents } from './bucket-feed.ts';

/** What a lease says of one agent: the hub's own view of it (storage needs only its id). */
export interface LeasedAgent {
  agent_id: string;
}

export interface HubLease<A extends LeasedAgent> {
  hub: string;
  agents: A[];
}

export interface PresenceOptions<A extends LeasedAgent> {
  hubName: string;
  leaseMs: number;
  /** This hub's connected agents, read at each renewal. */
  localAgents: () => A[];
  now?: () => number;
  onError?: (error: unknown) => void;
  /** The bucket's feed restarting after a stall (a NATS node lost). */
  feedEvents?: FeedEvents;
}

export class HubPresence<A extends LeasedAgent> {
  private readonly leases = new Map<string, { lease: HubLease<A>; receivedAt: number }>();
  private readonly now: () => number;
  private renewTimer: NodeJS.Timeout | null = null;
  private pendingRenew: NodeJS.Timeout | null = null;
  private feed: BucketFeed | null = null;
  private stopped = false;

  private constructor(private readonly bucket: KV, private readonly options: PresenceOptions<A>) {
    this.now = options.now ?? Date.now;
  }

  static async start<A extends LeasedAgent>(bucket: KV, options: PresenceOptions<A>): Promise<HubPresence<A>> {
    const presence = new HubPresence<A>(bucket, options);
    presence.feed = await BucketFeed.start(bucket, (entry) => {
      if (entry.operation === 'PUT') presence.leases.set(entry.key, { lease: entry.json<HubLease<A>>(), receivedAt: presence.now() });
      else presence.leases.delete(entry.key);
    }, { name: 'hubs', ...options.feedEvents });
    await presence.renew();
    presence.renewTimer = setInterval(() => void presence.renew(), Math.max(100, Math.floor(options.leaseMs / 3)));
    presence.renewTimer.unref();
    return presence;
  }

  get hubName(): string {
    return this.options.hubName;
  }

  /** An agent's set changed here: renew soon (changes in one burst share one write). */
  changed(): void {
    if (this.pendingRenew || this.stopped) return;
    this.pendingRenew = setTimeout(() => {
      this.pendingRenew = null;
      void this.renew();
    }, 50);
    this.pendingRenew.unref();
  }

  /** The live hub other than this one that has `agentId` connected, or null. */
  hubOf(agentId: string): string | null {
    for (const { lease } of this.liveOthers()) {
      if (lease.agents.some((agent) => agent.agent_id === agentId)) return lease.hub;
    }
    return null;
  }

  /** Agents connected to the other live hubs, each with its hub. */
  otherAgents(): Array<A & { hub: string }> {
    return this.liveOthers().flatMap(({ lease }) => lease.agents.map((agent) => ({ ...agent, hub: lease.hub })));
  }

  /** Live hubs, this one included. */
  liveHubs(): string[] {
    return [this.options.hubName, ...this.liveOthers().map(({ lease }) => lease.hub)];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.pendingRenew) clearTimeout(this.pendingRenew);
    await this.feed?.stop();
    // A clean stop gives its agents up at once instead of after the lease.
    await this.bucket.delete(leaseKey(this.options.hubName)).catch(() => {});
  }

  private liveOthers(): Array<{ lease: HubLease<A> }> {
    const cutoff = this.now() - this.options.leaseMs;
    return [...this.leases.values()].filter(({ lease, receivedAt }) => lease.hub !== this.options.hubName && receivedAt >= cutoff);
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    const lease: HubLease<A> = { hub: this.options.hubName, agents: this.options.localAgents() };
    try {
      await this.bucket.put(leaseKey(this.options.hubName), JSON.stringify(lease));
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}

/** KV keys allow letters, digits and `-_=./`: anything else in a hub name is hex-escaped. */
function leaseKey(hubName: string): string {
  return hubName.replace(/[^A-Za-z0-9_-]/g, (char) => `=${char.charCodeAt(0).toString(16)}.`);
}
