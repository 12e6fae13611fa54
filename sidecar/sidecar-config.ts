// The sidecar's config.json: schema, defaults, and one-line errors naming the key.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { fail, failField, ok, type Result } from '../storage/domain/errors.ts';
import { fieldLimits } from '../web/protocol/field-limits.ts';
import { capabilityField, maxCapabilities } from '../web/protocol/identify.ts';

const positiveMs = (defaultMs: number) => Type.Integer({ minimum: 1, default: defaultMs });
const hubUrl = Type.String({ pattern: '^(wss?|https?)://[^\\s]+$' });

// Unknown keys are allowed: configs written for the original sidecar carry extras.
// What the sidecar sends at identify is bounded by the hub's own limits, never copies of them.
const sidecarConfigSchema = Type.Object({
  agent_id: Type.String({ minLength: 1, maxLength: fieldLimits.agent_id }),
  token: Type.String({ minLength: 1, maxLength: fieldLimits.token }),
  /** One hub, or several hubs of one cluster (engine jetstream): the sidecar fails over to the next. */
  hub_url: Type.Union([hubUrl, Type.Array(hubUrl, { minItems: 1, maxItems: 32 })]),
  hub_api_url: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: fieldLimits.name })),
  repo_dir: Type.Optional(Type.String({ minLength: 1 })),
  reviewer: Type.Optional(Type.String({ minLength: 1 })),
  wake_command: Type.Optional(
    Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String(), { minItems: 1 })]),
  ),
  capabilities: Type.Array(Type.String({ minLength: 1, maxLength: capabilityField.maxLength }), { maxItems: maxCapabilities, default: [] }),
  confirmation_timeout_ms: positiveMs(30_000),
  results_dir: Type.String({ minLength: 1, default: './results' }),
  log_file: Type.String({ minLength: 1, default: './sidecar.log' }),
  log_output: Type.Union([Type.Literal('auto'), Type.Literal('stdout'), Type.Literal('file')], { default: 'auto' }),
  wake_timeout_ms: positiveMs(60_000),
  wake_retry_delays_ms: Type.Array(Type.Integer({ minimum: 0 }), { default: [5_000, 15_000, 30_000] }),
  heartbeat_interval_ms: positiveMs(30_000),
  pong_timeout_ms: positiveMs(10_000),
  progress_interval_ms: positiveMs(60_000),
  result_poll_interval_ms: positiveMs(1_000),
  queue_file: Type.String({ minLength: 1, default: 'queue.json' }),
  /** PEM CA that signed the hub's certificate (private CA, self-signed hub); default: the public roots. */
  ca_file: Type.Optional(Type.String({ minLength: 1 })),
  /** Tests only: skip certificate verification, with a warning on every connect. */
  insecure: Type.Boolean({ default: false }),
});

/** `hub_url` is the first hub's socket URL; `hub_urls` every hub in failover order. */
export type SidecarConfig = Omit<Static<typeof sidecarConfigSchema>, 'hub_url'> & { hub_url: string; hub_urls: string[]; config_path: string };

/** What each key must be, worded for the one-line error. */
const keyRules: Record<string, string> = {
  agent_id: `must be a string of 1 to ${fieldLimits.agent_id} characters`,
  token: `must be a string of 1 to ${fieldLimits.token} characters`,
  hub_url: 'must be a ws://, wss://, http:// or https:// URL',
  hub_api_url: 'must be an http:// or https:// URL',
  name: `must be a string of 1 to ${fieldLimits.name} characters`,
  repo_dir: 'must be a folder path',
  reviewer: 'must be a GitHub user name',
  wake_command: 'must be a command string or a non-empty array of strings',
  capabilities: `must be an array of strings of 1 to ${capabilityField.maxLength} characters`,
  wake_retry_delays_ms: 'must be an array of whole milliseconds >= 0',
  results_dir: 'must be a folder path',
  log_file: 'must be a file path',
  log_output: 'must be auto, stdout or file',
  queue_file: 'must be a file path',
  ca_file: 'must be a file path',
  insecure: 'must be true or false',
};

const pathKeys = ['repo_dir', 'results_dir', 'log_file', 'queue_file', 'ca_file'] as const;

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
const validate = ajv.compile(sidecarConfigSchema);

/** Validates a parsed config object; relative paths are resolved against `configPath`'s folder. */
export function parseSidecarConfig(raw: unknown, configPath: string): Result<SidecarConfig> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return failField('AC_ERR_CONFIG_INVALID', '(root)', 'config: the file must hold a JSON object');
  }
  // The original treated null as "not set", and old configs rely on it.
  const candidate: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) if (value !== null) candidate[key] = value;

  if (!validate(candidate)) return configFailure(validate.errors?.[0]);

  const config = candidate as SidecarConfig;
  const baseDir = path.dirname(path.resolve(configPath));
  for (const key of pathKeys) {
    const value = config[key];
    if (typeof value === 'string') config[key] = path.resolve(baseDir, value);
  }
  config.config_path = path.resolve(configPath);
  const rawUrls = (candidate.hub_url as string | string[]);
  config.hub_urls = (Array.isArray(rawUrls) ? rawUrls : [rawUrls]).map(socketUrlOf);
  config.hub_url = config.hub_urls[0]!;
  return ok(config);
}

export function loadSidecarConfig(configPath: string): Result<SidecarConfig> {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    return fail('AC_ERR_CONFIG_UNREADABLE', configPath, (error as Error).message);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return failField('AC_ERR_CONFIG_INVALID', '(root)', `config: ${configPath} is not valid JSON (${(error as Error).message})`);
  }
  return parseSidecarConfig(raw, configPath);
}

/** An http(s) hub address means the hub's agent socket: wss for https, path /ws when none is given. */
function socketUrlOf(hubUrl: string): string {
  if (!/^https?:/.test(hubUrl)) return hubUrl;
  try {
    const url = new URL(hubUrl.replace(/^http/, 'ws'));
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/ws';
    return url.toString();
  } catch {
    return hubUrl; // The connection attempt logs why it fails.
  }
}

function configFailure(error: ErrorObject | undefined): Result<never> {
  if (!error) return failField('AC_ERR_CONFIG_INVALID', '(root)', 'config: invalid');
  if (error.keyword === 'required') {
    const key = String(error.params.missingProperty);
    return failField('AC_ERR_CONFIG_INVALID', key, `config: ${key} is required`);
  }
  const key = error.instancePath.split('/')[1] ?? '(root)';
  const rule = keyRules[key] ?? (key.endsWith('_ms') ? 'must be a whole number of milliseconds >= 1' : error.message);
  return failField('AC_ERR_CONFIG_INVALID', key, `config: ${key} ${rule}`);
}
