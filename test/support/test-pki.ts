// A throwaway certificate authority made with the openssl command (Debian's package),
// issuing server and client certificates for the TLS tests. EC P-256 keys: quick to make.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface IssuedCertificate {
  cert: string;
  key: string;
}

export class TestCa {
  readonly cert: string;
  private readonly key: string;

  constructor(private readonly dir: string, readonly name: string) {
    this.cert = path.join(dir, `${name}-ca.pem`);
    this.key = path.join(dir, `${name}-ca.key`);
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', `/CN=AgentCom test CA ${name}`, '-keyout', this.key, '-out', this.cert);
  }

  /** A server certificate for localhost and 127.0.0.1 (or the given subjectAltName). */
  issueServer(basename: string, subjectAltName = 'DNS:localhost,IP:127.0.0.1'): IssuedCertificate {
    return this.issue(basename, 'localhost', `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\n`);
  }

  /** A client certificate whose CN is `commonName` (an agent id, for mTLS). */
  issueClient(basename: string, commonName: string): IssuedCertificate {
    return this.issue(basename, commonName, 'extendedKeyUsage=clientAuth\n');
  }

  private issue(basename: string, commonName: string, extensions: string): IssuedCertificate {
    const cert = path.join(this.dir, `${basename}.pem`);
    const key = path.join(this.dir, `${basename}.key`);
    const request = path.join(this.dir, `${basename}.csr`);
    const extFile = path.join(this.dir, `${basename}.ext`);
    writeFileSync(extFile, extensions);
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', `/CN=${commonName}`, '-keyout', key, '-out', request);
    openssl('x509', '-req', '-in', request, '-CA', this.cert, '-CAkey', this.key, '-CAcreateserial', '-days', '2',
      '-extfile', extFile, '-out', cert);
    return { cert, key };
  }
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
