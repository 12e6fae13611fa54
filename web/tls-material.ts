// The certificate and key the hub serves TLS with, read and checked once per load.
//
// uWS (OpenSSL inside) reads certificate files by path and reports a bad file only as
// a failed context. So the hub reads the files itself, checks them with node:crypto
// (PEM, key matches certificate), and hands uWS private copies of exactly what it
// checked: a renewal tool replacing the files half-way through a load cannot slip
// a certificate past the checks, and a bad file is one clear line naming it.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fail, ok, type Result } from '../storage/domain/errors.ts';

export interface TlsFiles {
  cert: string;
  key: string;
  /** Intermediate certificates sent after `cert`. */
  ca?: string;
  /** CA of the client certificates the hub asks for (mTLS). */
  clientCa?: string;
}

export interface TlsMaterial {
  files: TlsFiles;
  /** The leaf certificate: names, expiry and fingerprint for logs and SNI. */
  certificate: X509Certificate;
  /** The certificate file with the `ca` chain appended: what the hub sends. */
  chainPem: string;
  keyPem: string;
  clientCaPem: string | null;
}

/** What uWS's SSLApp and addServerName take. */
export interface UwsTlsOptions {
  cert_file_name: string;
  key_file_name: string;
  ca_file_name?: string;
}

/** Reads and checks the files; a failure names the key and the file. */
export function loadTlsMaterial(files: TlsFiles): Result<TlsMaterial> {
  const certPem = readPem('tls_cert', files.cert);
  if (!certPem.ok) return certPem;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem.value);
  } catch (error) {
    return fail('AC_ERR_TLS_FILE', 'tls_cert', files.cert, `not a PEM certificate (${(error as Error).message})`);
  }
  const keyPem = readPem('tls_key', files.key);
  if (!keyPem.ok) return keyPem;
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(keyPem.value));
  } catch (error) {
    return fail('AC_ERR_TLS_FILE', 'tls_key', files.key, `not an unencrypted PEM private key (${(error as Error).message})`);
  }
  if (!matches) return fail('AC_ERR_TLS_KEY_MISMATCH', files.key, files.cert);

  let chainPem = certPem.value.endsWith('\n') ? certPem.value : `${certPem.value}\n`;
  if (files.ca) {
    const caPem = readCertificates('tls_ca', files.ca);
    if (!caPem.ok) return caPem;
    chainPem += caPem.value;
  }
  let clientCaPem: string | null = null;
  if (files.clientCa) {
    const read = readCertificates('tls_client_ca', files.clientCa);
    if (!read.ok) return read;
    clientCaPem = read.value;
  }
  return ok({ files, certificate, chainPem, keyPem: keyPem.value, clientCaPem });
}

/**
 * Calls `use` with uWS options pointing at private copies of the material, removed
 * right after: uWS reads them synchronously while building the context.
 */
export function withUwsOptions<T>(material: TlsMaterial, use: (options: UwsTlsOptions) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'agentcom-tls-'));
  try {
    const options: UwsTlsOptions = { cert_file_name: join(dir, 'chain.pem'), key_file_name: join(dir, 'key.pem') };
    writeFileSync(options.cert_file_name, material.chainPem, { mode: 0o600 });
    writeFileSync(options.key_file_name, material.keyPem, { mode: 0o600 });
    if (material.clientCaPem) {
      // uSockets turns ca_file_name into "ask for a client certificate, verify it if sent".
      options.ca_file_name = join(dir, 'client-ca.pem');
      writeFileSync(options.ca_file_name, material.clientCaPem, { mode: 0o600 });
    }
    return use(options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fields for log lines: whom the certificate is for and until when. */
export function describeCertificate(material: TlsMaterial): Record<string, string> {
  return {
    subject: material.certificate.subject.replace(/\n/g, ', '),
    subject_alt_name: material.certificate.subjectAltName ?? '',
    valid_to: new Date(material.certificate.validTo).toISOString(),
    fingerprint256: material.certificate.fingerprint256,
  };
}

function readPem(key: string, path: string): Result<string> {
  try {
    return ok(readFileSync(path, 'utf8'));
  } catch (error) {
    return fail('AC_ERR_TLS_FILE', key, path, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

/** A PEM bundle of one or more certificates; the first must parse. */
function readCertificates(key: string, path: string): Result<string> {
  const pem = readPem(key, path);
  if (!pem.ok) return pem;
  try {
    new X509Certificate(pem.value);
  } catch (error) {
    return fail('AC_ERR_TLS_FILE', key, path, `not a PEM certificate (${(error as Error).message})`);
  }
  return ok(pem.value.endsWith('\n') ? pem.value : `${pem.value}\n`);
}
