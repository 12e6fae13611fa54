// Storage admin routes: backups, restore, compaction, storage health (reference §4,
// §10). The reference's per-table routes (`/:table`) are accepted and act on the one
// LMDB environment, which holds every table.
import type { StoragePort } from '../storage-port.ts';
import type { RestoreRequest } from '../protocol/storage-admin.ts';
import { errorReply, failureReply, typedReply, type Reply } from './reply.ts';
import type { Route, RouteDeps } from './route.ts';

export function storageAdminRoutes({ hub: { storage } }: RouteDeps): Route[] {
  const withStorage = <B>(handle: (storage: StoragePort, params: Record<string, string>, body: B) => Reply | Promise<Reply>) =>
    (ctx: { params: Record<string, string>; body: B }) =>
      storage ? handle(storage, ctx.params, ctx.body) : errorReply('AC_ERR_NOT_FOUND', { detail: 'storage operations are not enabled' });

  const backup = withStorage(async (storage) => {
    const taken = await storage.backup('manual');
    if (!taken.ok) return failureReply(taken, { status: 'failed' });
    const tables = Object.keys(taken.value.manifest.entries);
    return typedReply('backup_taken', 200, {
      status: 'complete',
      tables_total: tables.length,
      tables_success: tables.length,
      results: tables.map((table) => ({ table, status: 'ok' as const, path: taken.value.path, size: taken.value.manifest.size_bytes })),
      backup: taken.value,
    });
  });

  const restore = withStorage(async (storage, params, body: RestoreRequest) => {
    const started = await storage.restore(body.backup);
    if (!started.ok) return failureReply(started, { status: 'failed', table: params.table ?? 'all' });
    return typedReply('restore_started', 200, { ...started.value, table: params.table ?? 'all' });
  });

  const compactAll = withStorage(async (storage) => {
    const run = await storage.compact('manual');
    if (!run.ok) return failureReply(run, { status: 'failed' });
    const compacted = run.value.status === 'complete';
    return typedReply('compaction', 200, {
      status: 'complete', tables_total: 1, tables_compacted: compacted ? 1 : 0, tables_skipped: compacted ? 0 : 1,
      results: [{ table: 'all', status: run.value.status, duration_ms: run.value.duration_ms }],
      run: run.value,
    });
  });

  const compactOne = withStorage(async (storage, params) => {
    const run = await storage.compact('manual');
    if (!run.ok) return failureReply(run, { status: 'failed', table: params.table });
    return typedReply('table_compaction', 200, { table: params.table!, status: run.value.status, duration_ms: run.value.duration_ms, run: run.value });
  });

  const health = withStorage((storage) => typedReply('storage_health', 200, storage.health()));

  return [
    { method: 'POST', path: '/api/admin/backup', auth: 'admin', handle: backup },
    { method: 'GET', path: '/api/admin/backups', auth: 'admin', handle: withStorage((storage) => typedReply('backup_list', 200, storage.backups())) },
    { method: 'POST', path: '/api/admin/restore', auth: 'admin', body: 'restore_request', handle: restore },
    { method: 'POST', path: '/api/admin/restore/:table', auth: 'admin', body: 'restore_request', handle: restore },
    { method: 'POST', path: '/api/admin/compact', auth: 'admin', handle: compactAll },
    { method: 'POST', path: '/api/admin/compact/:table', auth: 'admin', handle: compactOne },
    { method: 'GET', path: '/api/admin/storage-health', auth: 'admin', handle: health },
    { method: 'GET', path: '/api/admin/dets-health', auth: 'admin', handle: health },
  ];
}
