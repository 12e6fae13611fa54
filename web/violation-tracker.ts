// Validation-violation escalation (reference §7): ten violations in a 60 s window
// close the socket with 1008; an identified agent closed that way gets a growing
// identify cooldown (30 s, 60 s, then 300 s) that expires 10 min after its last disconnect.

export interface ViolationPolicy {
  windowMs: number;
  limit: number;
  /** Cooldown after the 1st, 2nd, 3rd and later disconnects. */
  cooldownsMs: readonly number[];
  /** A cooldown record is forgotten this long after its last disconnect. */
  expiryMs: number;
}

const referenceViolationPolicy: ViolationPolicy = {
  windowMs: 60_000,
  limit: 10,
  cooldownsMs: [30_000, 60_000, 300_000],
  expiryMs: 10 * 60_000,
};

/** Per-socket counter; lives in the socket's user data. */
export interface SocketViolations {
  windowStartedAt: number;
  count: number;
}

interface CooldownRecord {
  disconnects: number;
  lastDisconnectAt: number;
  until: number;
}

export class ViolationTracker {
  private readonly cooldowns = new Map<string, CooldownRecord>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly policy: ViolationPolicy = referenceViolationPolicy,
  ) {}

  newSocket(): SocketViolations {
    return { windowStartedAt: 0, count: 0 };
  }

  /** Counts one violation; true when the socket has reached the limit and must close. */
  record(socket: SocketViolations): boolean {
    const now = this.now();
    // The window starts at the first violation, not on a fixed grid.
    if (socket.count === 0 || now - socket.windowStartedAt >= this.policy.windowMs) {
      socket.windowStartedAt = now;
      socket.count = 0;
    }
    socket.count += 1;
    return socket.count >= this.policy.limit;
  }

  /** The agent's socket was closed for violations: start (or lengthen) its identify cooldown. */
  recordDisconnect(agentId: string): number {
    const now = this.now();
    this.sweep(now);
    const previous = this.cooldowns.get(agentId);
    const disconnects = (previous?.disconnects ?? 0) + 1;
    const steps = this.policy.cooldownsMs;
    const cooldownMs = steps[Math.min(disconnects, steps.length) - 1]!;
    this.cooldowns.set(agentId, { disconnects, lastDisconnectAt: now, until: now + cooldownMs });
    return cooldownMs;
  }

  /** Milliseconds of cooldown left for the agent, 0 when it may identify. */
  cooldownRemainingMs(agentId: string): number {
    const now = this.now();
    const record = this.cooldowns.get(agentId);
    if (!record) return 0;
    if (now - record.lastDisconnectAt >= this.policy.expiryMs) {
      this.cooldowns.delete(agentId);
      return 0;
    }
    return Math.max(0, record.until - now);
  }

  /** Number of agents with a live cooldown record (for the dashboard and tests). */
  get trackedAgents(): number {
    this.sweep(this.now());
    return this.cooldowns.size;
  }

  private sweep(now: number): void {
    for (const [agentId, record] of this.cooldowns) {
      if (now - record.lastDisconnectAt >= this.policy.expiryMs) this.cooldowns.delete(agentId);
    }
  }
}
