// Reloading the hub's certificate: on SIGHUP (agentcom start wires it) and when the
// files change, as when an ACME client renews them.
//
// The folders are watched, not the files: renewal tools replace files by rename or
// swap a symlink (certbot's live/, Kubernetes' ..data), which a watch on the old inode
// never sees. Any change in a folder schedules one reload a moment later, so a cert
// and key written one after the other load together; a reload whose files read the
// same as what is served changes nothing, and a bad file keeps the served certificate.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadTlsMaterial, type TlsFiles, type TlsMaterial } from '../web/tls-material.ts';
import { ok, type Result } from '../storage/domain/errors.ts';
import type { Logger } from './logger.ts';

/** Long enough for a renewal tool to write the certificate and then the key. */
const settleMs = 500;

export type ReloadOutcome = 'reloaded' | 'unchanged';

export class TlsReloader {
  private served: TlsMaterial;
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly files: TlsFiles,
    initial: TlsMaterial,
    private readonly apply: (material: TlsMaterial) => void,
    private readonly log: Logger,
  ) {
    this.served = initial;
  }

  /** Reads the files again and, when they changed and are good, serves them. */
  reload(reason: string): Result<ReloadOutcome> {
    const loaded = loadTlsMaterial(this.files);
    if (!loaded.ok) {
      this.log.error('TLS reload failed; still serving the previous certificate', { code: loaded.code, detail: loaded.detail, reason });
      return loaded;
    }
    const next = loaded.value;
    if (next.chainPem === this.served.chainPem && next.keyPem === this.served.keyPem && next.clientCaPem === this.served.clientCaPem) {
      this.log.info('TLS files unchanged', { reason });
      return ok('unchanged');
    }
    this.served = next;
    this.apply(next);
    this.log.notice('TLS files reloaded', { reason, fingerprint256: next.certificate.fingerprint256 });
    return ok('reloaded');
  }

  watch(): void {
    const paths = Object.values(this.files).filter((file): file is string => Boolean(file));
    const names = new Set(paths.map((file) => basename(file)));
    // Only our files, and Kubernetes' `..data` style swaps: a busy folder (say, the data dir) must not keep postponing the reload.
    const relevant = (name: string | null) => name === null || names.has(name) || name.startsWith('..');
    for (const folder of new Set(paths.map((file) => dirname(file)))) {
      try {
        const watcher = watch(folder, { persistent: false }, (_event, name) => {
          if (relevant(name === null ? null : String(name))) this.schedule();
        });
        watcher.on('error', (error) => this.log.warning('TLS folder watch failed; SIGHUP still reloads', { folder, error: error.message }));
        this.watchers.push(watcher);
      } catch (error) {
        this.log.warning('cannot watch a TLS folder; SIGHUP still reloads', { folder, error: (error as Error).message });
      }
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reload('files changed');
    }, settleMs);
    this.timer.unref();
  }
}
