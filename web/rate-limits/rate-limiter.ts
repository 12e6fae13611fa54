// Token buckets per (subject, ws|http, tier) (reference §8), with per-agent overrides
// and a whitelist that the hub persists. A subject is an agent (`agent:<id>`), an
// unauthenticated client (`ip:<address>`) or, when admins are limited, `admin:<name>`.
//
// Cost: a socket looks its subject up once, at identify, and keeps it in its own
// data; a check is then a refill and a subtraction on that object, no map at all.
// HTTP looks the subject up by key per request (one Map.get).
import { newBucket, refill, retryAfterMs, tryTake, type TokenBucket } from './token-bucket.ts';
import type { RateLimitsView } from '../protocol/rate-limits.ts';
import { defaultTierLimits, tiers, type Channel, type Tier, type TierLimit, type TierLimits } from '../protocol/rate-limit-tiers.ts';

export interface RateLimitSettings {
  overrides: Record<string, Partial<TierLimits>>;
  whitelist: string[];
}

/** One rate-limited party and its six buckets. */
export interface LimitedSubject {
  readonly key: string;
  /** The agent id for `agent:` subjects (overrides and the whitelist name agents). */
  readonly agentId: string | null;
  exempt: boolean;
  buckets: Array<TokenBucket | undefined>;
  /** End of the retry_after of the last denial: a denial before it means the client did not back off. */
  deniedUntil: number;
  lastDenial: { at: number; tier: Tier; channel: Channel; retryAfterMs: number; count: number } | null;
  /** Open sockets holding this subject; a subject in use is never swept. */
  sockets: number;
  usedAt: number;
}

export interface RateWarning {
  tier: Tier;
  remaining: number;
  capacity: number;
}

export type LimitCheck =
  | { ok: true; warning: RateWarning | null }
  | { ok: false; tier: Tier; retryAfterMs: number; /** The client came back before its retry_after: it is not backing off. */ ignoredRetry: boolean };

export interface RateLimitDenial {
  key: string;
  agentId: string | null;
  channel: Channel;
  tier: Tier;
  retryAfterMs: number;
  ignoredRetry: boolean;
  at: number;
}

export type { RateLimitsView };

export interface RateLimiterOptions {
  enabled: boolean;
  now?: () => number;
  settings?: RateLimitSettings;
  /** Called after each change to overrides or the whitelist; resolves once it is durable. */
  persist?: (settings: RateLimitSettings) => Promise<void>;
  /** Every denial goes through here: the hub records the violation, logs it and feeds metrics. */
  onDenied?: (denial: RateLimitDenial) => void;
}

const allowed: LimitCheck = { ok: true, warning: null };
const warningBelow = 0.2;
const recentMs = 60_000;
/** Idle subjects without a socket are forgotten after this long (reference: 5 min bucket sweep). */
const idleSubjectMs = 5 * 60_000;
const channelOffset: Record<Channel, number> = { ws: 0, http: 3 };
const tierOffset: Record<Tier, number> = { light: 0, normal: 1, heavy: 2 };

export class RateLimiter {
  readonly enabled: boolean;
  private readonly now: () => number;
  private readonly subjects = new Map<string, LimitedSubject>();
  private readonly denied = new Set<LimitedSubject>();
  private settings: RateLimitSettings;
  private whitelist: Set<string>;

  constructor(private readonly options: RateLimiterOptions) {
    this.enabled = options.enabled;
    this.now = options.now ?? Date.now;
    this.settings = { overrides: { ...options.settings?.overrides }, whitelist: [...(options.settings?.whitelist ?? [])] };
    this.whitelist = new Set(this.settings.whitelist);
  }

  /** The subject for a key, created on first use. `exempt` subjects (admins by default) are never limited. */
  subject(key: string, options: { agentId?: string | null; exempt?: boolean } = {}): LimitedSubject {
    let subject = this.subjects.get(key);
    if (!subject) {
      const agentId = options.agentId ?? null;
      subject = {
        key, agentId, exempt: false, buckets: [], deniedUntil: 0, lastDenial: null, sockets: 0, usedAt: this.now(),
      };
      this.subjects.set(key, subject);
    }
    subject.exempt = options.exempt === true || (subject.agentId !== null && this.whitelist.has(subject.agentId));
    return subject;
  }

  agentSubject(agentId: string): LimitedSubject {
    return this.subject(`agent:${agentId}`, { agentId });
  }

  /** Takes one token from the subject's bucket for (channel, tier). The hot path: no allocation unless warning or denying. */
  check(subject: LimitedSubject, channel: Channel, tier: Tier): LimitCheck {
    if (!this.enabled || subject.exempt) return allowed;
    const now = this.now();
    subject.usedAt = now;
    const index = channelOffset[channel] + tierOffset[tier];
    let bucket = subject.buckets[index];
    if (!bucket) {
      bucket = newBucket(this.limitOf(subject, tier), now);
      subject.buckets[index] = bucket;
    } else {
      refill(bucket, now);
    }
    if (tryTake(bucket)) {
      if (bucket.tokens >= bucket.capacity * warningBelow) return allowed;
      return { ok: true, warning: { tier, remaining: Math.floor(bucket.tokens), capacity: bucket.capacity } };
    }
    const wait = retryAfterMs(bucket);
    const ignoredRetry = now < subject.deniedUntil;
    subject.deniedUntil = now + wait;
    const count = subject.lastDenial && now - subject.lastDenial.at < recentMs ? subject.lastDenial.count + 1 : 1;
    subject.lastDenial = { at: now, tier, channel, retryAfterMs: wait, count };
    this.denied.add(subject);
    this.options.onDenied?.({ key: subject.key, agentId: subject.agentId, channel, tier, retryAfterMs: wait, ignoredRetry, at: now });
    return { ok: false, tier, retryAfterMs: wait, ignoredRetry };
  }

  // --- overrides and whitelist ------------------------------------------------------------

  view(): RateLimitsView {
    const now = this.now();
    const limited: RateLimitsView['limited'] = [];
    for (const subject of this.denied) {
      const denial = subject.lastDenial;
      if (!denial || now - denial.at >= recentMs) {
        this.denied.delete(subject);
        continue;
      }
      limited.push({
        key: subject.key, agent_id: subject.agentId, tier: denial.tier, channel: denial.channel,
        retry_after_ms: Math.max(0, subject.deniedUntil - now), denied_at: denial.at, denials: denial.count,
      });
    }
    limited.sort((a, b) => b.denied_at - a.denied_at);
    return { defaults: structuredClone(defaultTierLimits), overrides: structuredClone(this.settings.overrides), whitelist: [...this.whitelist], limited };
  }

  overridesOf(agentId: string): Partial<TierLimits> | undefined {
    return this.settings.overrides[agentId];
  }

  /** Replaces the given tiers' limits for one agent and resets its buckets. */
  async setOverride(agentId: string, limits: Partial<TierLimits>): Promise<Partial<TierLimits>> {
    const merged = { ...this.settings.overrides[agentId], ...limits };
    this.settings.overrides = { ...this.settings.overrides, [agentId]: merged };
    this.resetBuckets(agentId);
    await this.save();
    return merged;
  }

  async removeOverride(agentId: string): Promise<boolean> {
    if (!(agentId in this.settings.overrides)) return false;
    const { [agentId]: _removed, ...rest } = this.settings.overrides;
    this.settings.overrides = rest;
    this.resetBuckets(agentId);
    await this.save();
    return true;
  }

  whitelisted(): string[] {
    return [...this.whitelist];
  }

  async setWhitelist(agentIds: string[]): Promise<string[]> {
    const before = this.whitelist;
    this.whitelist = new Set(agentIds);
    for (const id of new Set([...before, ...this.whitelist])) this.refreshExemption(id);
    await this.save();
    return this.whitelisted();
  }

  async addToWhitelist(agentId: string): Promise<string[]> {
    this.whitelist.add(agentId);
    this.refreshExemption(agentId);
    await this.save();
    return this.whitelisted();
  }

  async removeFromWhitelist(agentId: string): Promise<boolean> {
    if (!this.whitelist.delete(agentId)) return false;
    this.refreshExemption(agentId);
    await this.save();
    return true;
  }

  /** Forgets idle subjects no socket holds; their next use starts with full buckets, as it would after the refill. */
  sweep(): void {
    const now = this.now();
    for (const [key, subject] of this.subjects) {
      if (subject.sockets === 0 && now - subject.usedAt >= idleSubjectMs) this.subjects.delete(key);
    }
  }

  get subjectCount(): number {
    return this.subjects.size;
  }

  private limitOf(subject: LimitedSubject, tier: Tier): TierLimit {
    const override = subject.agentId === null ? undefined : this.settings.overrides[subject.agentId]?.[tier];
    return override ?? defaultTierLimits[tier];
  }

  private resetBuckets(agentId: string): void {
    const subject = this.subjects.get(`agent:${agentId}`);
    if (subject) subject.buckets = [];
  }

  private refreshExemption(agentId: string): void {
    const subject = this.subjects.get(`agent:${agentId}`);
    if (subject) subject.exempt = this.whitelist.has(agentId);
  }

  private async save(): Promise<void> {
    this.settings.whitelist = [...this.whitelist];
    await this.options.persist?.({ overrides: this.settings.overrides, whitelist: this.settings.whitelist });
  }
}

export { tiers };
