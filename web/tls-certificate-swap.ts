// Swapping the served certificate in a running SSLApp without closing a socket.
//
// uWS cannot replace the certificate an SSLApp was built with (its default context),
// but it can add and remove per-hostname (SNI) contexts at any time: a handshake that
// names a host gets that host's context, and a connection already open keeps the
// context it was made with (OpenSSL counts references). So each hostname a client asks
// for is given a context of the current certificate the first time it is seen
// (missingServerName), and a reload drops those contexts: the next handshake for the
// name builds one from the new certificate.
//
// uWS gives each server name its own router, so the hub's routes and socket handlers are
// mounted into it too (one set of handlers and state; only the routing table is repeated).
// This uWS build prints debug lines to stdout when it does ("finding <host>", "Browsed to
// SNI"): once per name per certificate, documented in docs/operations.md.
//
// A client that sends no SNI (one that connects by IP address) gets the default context,
// the certificate loaded at start, until the hub restarts: docs/operations.md says so.
import type { TemplatedApp } from 'uWebSockets.js';
import type { Logger } from 'winston';
import { withUwsOptions, type TlsMaterial } from './tls-material.ts';

/** Hostnames given a context, at most: SNI is client-chosen, and a wildcard certificate matches unboundedly many. */
const maxServerNames = 64;

export class CertificateSwap {
  private material: TlsMaterial;
  private readonly names = new Set<string>();

  /** `mount` registers every route and socket handler of the app again, into its current router. */
  constructor(private readonly app: TemplatedApp, initial: TlsMaterial, private readonly mount: () => void, private readonly log: Logger) {
    this.material = initial;
    app.missingServerName((hostname) => this.addName(hostname));
  }

  get current(): TlsMaterial {
    return this.material;
  }

  /** New handshakes use `next` from now on; open connections are untouched. */
  replace(next: TlsMaterial): void {
    this.material = next;
    // Note: this uWS build prints a debug line ("finding <host>") to stdout on each removal.
    for (const name of this.names) this.app.removeServerName(name);
    const dropped = this.names.size;
    this.names.clear();
    this.log.debug('server-name contexts dropped for the new certificate', { count: dropped });
  }

  private addName(name: string): void {
    // A name the certificate does not cover would fail the client's check anyway: leave it on the default.
    if (this.names.has(name) || this.names.size >= maxServerNames || !this.material.certificate.checkHost(name)) return;
    try {
      withUwsOptions(this.material, (options) => this.app.addServerName(name, options));
      this.names.add(name);
      // A server name has its own router in uWS: handshakes that name it route requests there.
      this.app.domain(name);
      try {
        this.mount();
      } finally {
        this.app.domain('');
      }
    } catch (error) {
      this.log.warning('cannot add a server-name context; the start certificate serves it', { hostname: name, error: String(error) });
    }
  }
}
