// Hub configuration: defaults < config file < environment < command-line flags.
// Validated once at start; a bad value stops start with one line naming the key.
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { durationPattern } from './duration.ts';
import cron from 'node-cron';
import { dirname, join, resolve } from 'node:path';
import { fail, ok, type Result } from '../storage/domain/errors.ts';

/** Node timers cannot wait longer (2^31 - 1 ms, about 24.8 days): longer delays fire at once. */
const maxTimerMs = 2 ** 31 - 1;

const hubConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 4000 }),
    data_dir: Type.String({ minLength: 1, default: './data' }),
    log_level: Type.String({ enum: ['debug', 'info', 'notice', 'warning', 'error'], default: 'info' }),
    /** Run on the slower pure-JS server when the native uWebSockets.js binding cannot load. */
    allow_js_fallback: Type.Boolean({ default: false }),
    max_payload_bytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
    /** Largest `payload` of a direct, broadcast or channel message, as JSON bytes (each is stored up to the caps). */
    max_message_bytes: Type.Integer({ minimum: 64, maximum: 64 * 1024 * 1024, default: 64 * 1024 }),
    /** Presence frames reach every agent, so a mass reconnect of n agents costs n² frames: above this many connected agents none are pushed. */
    presence_max_agents: Type.Integer({ minimum: 0, default: 1000 }),
    acceptance_timeout_ms: Type.Integer({ minimum: 1, maximum: maxTimerMs, default: 60_000 }),
    stuck_after_ms: Type.Integer({ minimum: 1, maximum: maxTimerMs, default: 300_000 }),
    stale_agent_ms: Type.Integer({ minimum: 1, maximum: maxTimerMs, default: 60_000 }),
    sweep_interval_ms: Type.Integer({ minimum: 10, maximum: maxTimerMs, default: 30_000 }),
    /** Connect the actor system to the Stately inspector (WebSocket inspector, offline). */
    inspect: Type.Boolean({ default: false }),
    inspect_port: Type.Integer({ minimum: 1, maximum: 65535, default: 8080 }),
    /** How long completed and cancelled tasks are kept after their last change ("7d", "12h", ms; 0 keeps them forever). */
    retention_completed: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: durationPattern })], { default: '7d' }),
    /** How long dead letters are kept after they died ("30d", ms; 0 keeps them forever). */
    retention_dead_letter: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: durationPattern })], { default: '30d' }),
    /** Serve GET /metrics without a token (only on a trusted network: labels name agents). */
    metrics_public: Type.Boolean({ default: false }),
    /** Record task, agent and transport metrics (gauges are read at scrape time either way); off only to measure its cost. */
    metrics_recording: Type.Boolean({ default: true }),
    /** When the alerter first checks after start (reference: 30 s); then every check_interval_ms of the alert thresholds. */
    alert_first_check_ms: Type.Integer({ minimum: 1, maximum: maxTimerMs, default: 30_000 }),
    /** An agent's question unanswered, or a task awaiting approval, for longer than this raises the approval_waiting alert. */
    approval_alert_after_ms: Type.Integer({ minimum: 1, maximum: maxTimerMs, default: 900_000 }),
    /** PEM certificate (chain) and private key: with both, the hub serves https and wss (web/tls-material.ts). */
    tls_cert: Type.Optional(Type.String({ minLength: 1 })),
    tls_key: Type.Optional(Type.String({ minLength: 1 })),
    /** PEM intermediate certificates sent after tls_cert, for a certificate whose chain is in a separate file. */
    tls_ca: Type.Optional(Type.String({ minLength: 1 })),
    /** PEM CA whose client certificates the hub asks for and verifies (mTLS); off when unset. */
    tls_client_ca: Type.Optional(Type.String({ minLength: 1 })),
    /** Refuse to start when listening in clear text on a non-loopback address (runtime/listen-policy.ts). */
    require_tls: Type.Boolean({ default: false }),
    /** Where backups go; empty means a `backups` folder beside the data dir (not inside it). */
    backup_dir: Type.String({ default: '' }),
    /** Cron expression (node-cron) for scheduled backups, or "off". Default daily at 03:00, as the reference's 24 h. */
    backup_schedule: Type.String({ minLength: 1, default: '0 3 * * *' }),
    backup_keep: Type.Integer({ minimum: 1, maximum: 1000, default: 3 }),
    /** Compacting copies leave free pages out: smaller backups, a little slower to take. */
    backup_compact: Type.Boolean({ default: true }),
    /** A folder in memory where a backup's copy is taken before it is written to backup_dir; "off" copies straight to disk. Used only when it exists and has room. */
    backup_staging_dir: Type.String({ minLength: 1, default: '/dev/shm' }),
    /** The rate a staged backup is written to backup_dir at, MB/s (0: as fast as the disk takes it, still in synced chunks). */
    backup_write_mb_per_s: Type.Number({ minimum: 0, maximum: 100_000, default: 50 }),
    /** Cron expression for the compaction check, or "off"; it compacts only above compaction_threshold. Default every 6 h, as the reference. */
    compaction_schedule: Type.String({ minLength: 1, default: '0 */6 * * *' }),
    compaction_threshold: Type.Number({ minimum: 0, maximum: 1, default: 0.1 }),
    /** Start with an empty store when the data file is corrupt and no good backup exists (the quarantined file is kept). */
    recover_empty: Type.Boolean({ default: false }),
    // --- abuse resistance (docs/operations.md, "Rate limits and abuse resistance") ---
    /** An agent socket that has not identified within this time is closed with 4009. */
    identify_timeout_ms: Type.Integer({ minimum: 100, maximum: maxTimerMs, default: 30_000 }),
    /** Open agent and dashboard sockets per client IP; the next upgrade gets 429. */
    max_connections_per_ip: Type.Integer({ minimum: 1, default: 200 }),
    /** Refused identify frames (bad or mismatched token) per client IP per minute, across its sockets. */
    identify_attempts_per_ip_per_min: Type.Integer({ minimum: 1, default: 60 }),
    /** Frames of one socket being worked on at once; past it frames are refused (AC_ERR_SOCKET_BUSY) and count as violations. */
    max_inflight_frames: Type.Integer({ minimum: 1, maximum: 100_000, default: 1024 }),
    /** A socket that leaves its replies unread this long is closed with 4008. */
    backpressure_grace_ms: Type.Integer({ minimum: 10, maximum: maxTimerMs, default: 10_000 }),
    /** Take the client IP from X-Forwarded-For (only behind a proxy you run). */
    trust_proxy: Type.Boolean({ default: false }),
    /** Token buckets per agent and tier (reference §8). */
    rate_limits: Type.Boolean({ default: true }),
    /** Hold admin tokens to the buckets too (they are exempt by default). */
    rate_limit_admins: Type.Boolean({ default: false }),
    /** Who may POST /api/onboard/register: open, token (an enrollment token) or closed. Default: open on loopback, token otherwise. */
    registration: Type.Optional(Type.String({ enum: ['open', 'token', 'closed'] })),
    // --- fleet control: budgets, breakers, provider quotas (docs/fleet-control.md) ---
    /** Consecutive task failures after which an agent's breaker trips (the agent is blocked, not scheduled). */
    breaker_failures: Type.Integer({ minimum: 1, maximum: 1000, default: 3 }),
    /** How long a tripped breaker stays open before it lifts by itself; 0: only an operator unblocks. */
    breaker_cooldown_ms: Type.Integer({ minimum: 0, maximum: maxTimerMs, default: 900_000 }),
    /** A task whose progress reports show no change for this long is flagged (no_progress); 0 turns it off. */
    no_progress_after_ms: Type.Integer({ minimum: 0, maximum: maxTimerMs, default: 600_000 }),
    /** Most tasks out at once per provider across the fleet (agents declare `provider` at identify), e.g. {"anthropic": 4}. */
    provider_limits: Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }), Type.Integer({ minimum: 0, maximum: 1_000_000 }), { default: {} }),
    /**
     * Daily token budgets (UTC days): `fleet` for all agents together, `agent_default` for each agent,
     * `agents` per agent id. Absent: no limit. Changed at runtime over PUT /api/budgets (kept in LMDB, which then wins).
     */
    daily_token_budgets: Type.Object({
      fleet: Type.Optional(Type.Integer({ minimum: 0 })),
      agent_default: Type.Optional(Type.Integer({ minimum: 0 })),
      agents: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 128 }), Type.Integer({ minimum: 0 }))),
    }, { additionalProperties: false, default: {} }),
    // --- scale-out (docs/operations.md, "Scale-out on NATS JetStream") ---
    /** Where the queue lives: `lmdb` in the data dir (one hub), or `jetstream` on the NATS cluster of nats_servers (several hubs). */
    engine: Type.String({ enum: ['lmdb', 'jetstream'], default: 'lmdb' }),
    /** NATS URLs of the cluster (env and flag: comma-separated); any one reachable node is enough. */
    nats_servers: Type.Array(Type.String({ pattern: '^(nats|tls)://\\S+$' }), { default: [] }),
    /** Replicas of the JetStream buckets when a hub creates them: 1 on one node, 3 on a cluster that must survive a node. */
    nats_replicas: Type.Integer({ minimum: 1, maximum: 5, default: 1 }),
    /** Start on a NATS cluster whose release can double-accept a compare-and-set (AC_ERR_NATS_UNSAFE): for tests of other faults, never production. */
    allow_unsafe_nats_server: Type.Boolean({ default: false }),
    /** This hub's name in the cluster, shown beside each agent it serves (default: host name and port). */
    hub_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** A hub on a cluster renews its lease this often × 3; its agents count as nowhere once it is this old (hub died). */
    hub_lease_ms: Type.Integer({ minimum: 300, maximum: maxTimerMs, default: 15_000 }),
  },
  { additionalProperties: false },
);
export type HubConfig = Static<typeof hubConfigSchema>;

/** Partial settings from one source, keyed like the config file. */
export type ConfigLayer = Partial<Record<keyof HubConfig, unknown>>;

const envNames: Record<string, keyof HubConfig> = {
  PORT: 'port',
  AGENTCOM_PORT: 'port',
  AGENTCOM_HOST: 'host',
  AGENTCOM_DATA_DIR: 'data_dir',
  AGENTCOM_LOG_LEVEL: 'log_level',
  AGENTCOM_ALLOW_JS_FALLBACK: 'allow_js_fallback',
  AGENTCOM_RETENTION_COMPLETED: 'retention_completed',
  AGENTCOM_RETENTION_DEAD_LETTER: 'retention_dead_letter',
  AGENTCOM_METRICS_PUBLIC: 'metrics_public',
  AGENTCOM_METRICS_RECORDING: 'metrics_recording',
  AGENTCOM_TLS_CERT: 'tls_cert',
  AGENTCOM_TLS_KEY: 'tls_key',
  AGENTCOM_TLS_CA: 'tls_ca',
  AGENTCOM_TLS_CLIENT_CA: 'tls_client_ca',
  AGENTCOM_REQUIRE_TLS: 'require_tls',
  AGENTCOM_BACKUP_DIR: 'backup_dir',
  AGENTCOM_BACKUP_STAGING_DIR: 'backup_staging_dir',
  AGENTCOM_TRUST_PROXY: 'trust_proxy',
  AGENTCOM_REGISTRATION: 'registration',
  AGENTCOM_APPROVAL_ALERT_AFTER_MS: 'approval_alert_after_ms',
  AGENTCOM_ENGINE: 'engine',
  AGENTCOM_NATS: 'nats_servers',
  AGENTCOM_NATS_REPLICAS: 'nats_replicas',
  AGENTCOM_HUB_NAME: 'hub_name',
};

const ajv = new Ajv({ useDefaults: true, allErrors: false, coerceTypes: false });
const validateConfig = ajv.compile<HubConfig>(hubConfigSchema);

export function readConfigFile(path: string): Result<ConfigLayer> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return fail('AC_ERR_CONFIG_UNREADABLE', path, (error as Error).message);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return fail('AC_ERR_CONFIG_UNREADABLE', path, 'expected a JSON object');
    }
    return ok(parsed as ConfigLayer);
  } catch (error) {
    return fail('AC_ERR_CONFIG_UNREADABLE', path, (error as Error).message);
  }
}

/** Environment settings, converted from strings to the schema's types. `PORT` yields to `AGENTCOM_PORT`. */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const [name, key] of Object.entries(envNames)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    layer[key] = coerce(key, raw);
  }
  return layer;
}

/** Merges layers left to right (later wins) over the defaults and validates the result. */
export function resolveConfig(...layers: ConfigLayer[]): Result<HubConfig> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) merged[key] = value;
  }
  if (typeof merged.nats_servers === 'string') merged.nats_servers = natsServerList(merged.nats_servers);
  if (!validateConfig(merged)) {
    const error = validateConfig.errors?.[0];
    const key = error?.instancePath.replace(/^\//, '') || String(error?.params?.additionalProperty ?? '');
    return fail('AC_ERR_CONFIG_INVALID', key || '(root)', error?.message ?? 'invalid');
  }
  for (const key of ['backup_schedule', 'compaction_schedule'] as const) {
    const expression = merged[key] as string;
    if (expression !== 'off' && !cron.validate(expression)) return fail('AC_ERR_CONFIG_INVALID', key, `"${expression}" is not a cron expression (or "off")`);
  }
  if (merged.engine === 'jetstream' && (merged.nats_servers as string[]).length === 0) {
    return fail('AC_ERR_CONFIG_INVALID', 'nats_servers', 'the jetstream engine needs at least one NATS URL (--nats nats://host:4222)');
  }
  const dataDir = resolve(merged.data_dir as string);
  const backupDir = merged.backup_dir ? resolve(merged.backup_dir as string) : join(dirname(dataDir), 'backups');
  return ok({ ...merged, data_dir: dataDir, backup_dir: backupDir } as HubConfig);
}

function coerce(key: keyof HubConfig, raw: string): unknown {
  const type = (hubConfigSchema.properties[key] as { type?: string }).type;
  if (type === 'integer') return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (type === 'boolean') return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  return raw;
}

/** `nats://a:4222,nats://b:4222` (a flag or an environment variable) as a list. */
export function natsServerList(raw: string): string[] {
  return raw.split(',').map((url) => url.trim()).filter((url) => url !== '');
}
