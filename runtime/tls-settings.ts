// The hub's TLS settings from its config, checked before anything opens: both halves
// of the pair, readable files, key matching certificate, and the clear-text policy.
import { loadTlsMaterial, type TlsFiles, type TlsMaterial } from '../web/tls-material.ts';
import type { HubConfig } from './config.ts';
import { fail, ok, type Result } from '../storage/domain/errors.ts';
import { clearTextVerdict } from './listen-policy.ts';

export interface TlsSettings {
  /** Null: clear text. */
  tls: { files: TlsFiles; material: TlsMaterial } | null;
  /** A line for the operator when clear text leaves the machine. */
  warning: string | null;
}

type TlsKeys = Pick<HubConfig, 'host' | 'tls_cert' | 'tls_key' | 'tls_ca' | 'tls_client_ca' | 'require_tls'>;

export function tlsSettingsFrom(config: TlsKeys): Result<TlsSettings> {
  if (Boolean(config.tls_cert) !== Boolean(config.tls_key)) return fail('AC_ERR_TLS_INCOMPLETE', config.tls_cert ? 'tls_key' : 'tls_cert');
  if (!config.tls_cert || !config.tls_key) {
    const verdict = clearTextVerdict(config.host, false, config.require_tls);
    return verdict.ok ? ok({ tls: null, warning: verdict.warning }) : verdict;
  }
  const files: TlsFiles = { cert: config.tls_cert, key: config.tls_key, ca: config.tls_ca, clientCa: config.tls_client_ca };
  const material = loadTlsMaterial(files);
  if (!material.ok) return material;
  return ok({ tls: { files, material: material.value }, warning: null });
}
