// Who may register an agent (POST /api/onboard/register): `open` (anyone who can reach
// the hub, as in the reference), `token` (an admin-issued enrollment token, short-lived
// and single use, as CI runners enroll) or `closed` (admins only). Tokens are kept as
// SHA-256 hashes in the LMDB config, so they survive a restart and never sit in clear.
import { createHash, randomBytes } from 'node:crypto';
import type { SettingsStore } from '../storage/settings-store.ts';

export type RegistrationMode = 'open' | 'token' | 'closed';

const settingsKey = 'enrollment_tokens';

type Stored = Record<string, { expires_at: number }>;

/** Open only while the hub listens on loopback: there only local users can reach it. */
export function defaultRegistrationMode(host: string): RegistrationMode {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' ? 'open' : 'token';
}

export class Enrollment {
  constructor(
    readonly mode: RegistrationMode,
    private readonly settings: SettingsStore,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(ttlMs: number): Promise<{ token: string; expires_at: number }> {
    const token = `enroll_${randomBytes(24).toString('hex')}`;
    const expiresAt = this.now() + ttlMs;
    await this.settings.set(settingsKey, { ...this.live(), [hashOf(token)]: { expires_at: expiresAt } });
    return { token, expires_at: expiresAt };
  }

  /** True once per valid token: it is removed before the caller goes on (single use, even under concurrency). */
  async consume(token: string): Promise<boolean> {
    const live = this.live();
    const hash = hashOf(token);
    if (!live[hash]) return false;
    delete live[hash];
    await this.settings.set(settingsKey, live);
    return true;
  }

  private live(): Stored {
    const now = this.now();
    const stored = this.settings.get<Stored>(settingsKey) ?? {};
    return Object.fromEntries(Object.entries(stored).filter(([, entry]) => entry.expires_at > now));
  }
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
