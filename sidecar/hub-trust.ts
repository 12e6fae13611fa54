// How a client (the sidecar, the agentcom CLI) trusts the hub's certificate.
//
// Node verifies https and wss certificates against its public roots by default; a
// `ca_file` replaces them with the given CA (a private CA, or a self-signed hub's own
// certificate), so only that CA's certificates pass. Turning verification off exists
// for tests only, and says so on every connect.
import { readFileSync } from 'node:fs';
import { fail, ok, type Failure, type Result } from '../storage/domain/errors.ts';

export interface HubTrust {
  /** PEM of the CA file; undefined: Node's public roots. */
  ca?: string;
  rejectUnauthorized: boolean;
  /** For the per-connect warning. */
  insecure: boolean;
}

/** `key` names the setting in errors: `ca_file` (sidecar), `--ca-file` (CLI). */
export function hubTrustFrom(caFile: string | undefined, insecure: boolean, key = 'ca_file'): Result<HubTrust> {
  if (!caFile) return ok({ rejectUnauthorized: !insecure, insecure });
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (error) {
    return fail('AC_ERR_TLS_FILE', key, caFile, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) return fail('AC_ERR_TLS_FILE', key, caFile, 'holds no PEM certificate');
  return ok({ ca: pem, rejectUnauthorized: !insecure, insecure });
}

export const insecureWarning = 'TLS certificate verification is OFF (insecure: true): for tests only; anyone on the path can read the token';

// OpenSSL's verify results as Node names them, plus Node's own name check.
const untrustedCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE',
  'INVALID_CA', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The hub's certificate failed verification: a trust problem, not a network one. */
export function isUntrustedCertificate(error: unknown): boolean {
  for (let cause = error as { code?: unknown; cause?: unknown } | undefined; cause; cause = cause.cause as typeof cause) {
    if (typeof cause.code === 'string' && untrustedCodes.has(cause.code)) return true;
  }
  return false;
}

/** One line for the refusal, with the fix. */
export function untrustedFailure(hubUrl: string, error: unknown, key = 'ca_file'): Failure {
  const failure = fail('AC_ERR_TLS_UNTRUSTED', hubUrl, (error as Error).message);
  return { ...failure, detail: `${failure.detail}; set ${key} to the CA that signed it (docs/operations.md, TLS)` };
}
