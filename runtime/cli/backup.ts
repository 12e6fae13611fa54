// `agentcom backup [list]` (a running hub takes the backup) and `agentcom restore
// [<backup>]` (the hub stopped: the backup replaces the data file, which is kept aside).
import type { Command } from 'commander';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configFromEnv, readConfigFile, resolveConfig, type ConfigLayer } from '../config.ts';
import { action, callHub, formatTime, printJson, printTable, withHubOptions, type HubFlags } from './hub-client.ts';
import { hubRequest, hubUrlFrom, tokenFrom } from './hub-request.ts';

interface RestoreFlags {
  dataDir?: string;
  backupDir?: string;
  config?: string;
  port?: string;
  host?: string;
}

const backupTimeoutMs = 6 * 60 * 60 * 1000;

export function registerBackupCommands(program: Command): void {
  const backup = withHubOptions(program.command('backup').description('take a backup of a running hub now (with progress)'))
    .action(action(async (flags: HubFlags) => {
      const hubUrl = hubUrlFrom(flags.hub);
      const token = tokenFrom(flags.token);
      const progress = progressPrinter();
      const poll = setInterval(() => {
        void hubRequest(hubUrl, 'GET', '/api/admin/backups', { token }).then((reached) => {
          const running = reached.ok ? reached.response.body?.in_progress : null;
          if (running) progress.show(running.bytes_written, running.bytes_expected);
        });
      }, 250);
      const reached = await hubRequest(hubUrl, 'POST', '/api/admin/backup', { token, timeoutMs: backupTimeoutMs }).finally(() => clearInterval(poll));
      progress.done();
      if (!reached.ok) throw new Error(reached.reason);
      const body = reached.response.body;
      if (reached.response.status >= 400) throw new Error(`backup failed: ${body?.code ?? reached.response.status} ${body?.detail ?? ''}`.trim());
      if (flags.json) return printJson(body);
      const manifest = body.backup.manifest;
      process.stdout.write(`${body.backup.name}  ${formatBytes(manifest.size_bytes)}  ${total(manifest.task_counts)} tasks  ${manifest.duration_ms} ms\n${body.backup.path}\n`);
    }));

  withHubOptions(backup.command('list').description('the good backups of a running hub, newest first'))
    .action(action(async (flags: HubFlags) => {
      const listing = await callHub('backup_list', flags, 'GET', '/api/admin/backups');
      if (flags.json) return printJson(listing);
      printTable(['name', 'created', 'size', 'tasks', 'hub'], listing.backups.map((info: { name: string; manifest: Record<string, any> }) => [
        info.name, formatTime(info.manifest.created_at), formatBytes(info.manifest.size_bytes), total(info.manifest.task_counts), info.manifest.hub_version,
      ]));
    }));

  program.command('restore [backup]')
    .description('with the hub stopped: put a backup (a name in backup_dir, or a backup folder) in place of the data file; the newest good one by default')
    .option('-d, --data-dir <dir>', 'LMDB data folder (env AGENTCOM_DATA_DIR; default ./data)')
    .option('--backup-dir <dir>', 'where backups are (default: a backups folder beside the data dir)')
    .option('-c, --config <file>', 'the hub\'s JSON config file')
    .option('-p, --port <port>', 'the hub\'s port, to check it is stopped')
    .option('-H, --host <host>', 'the hub\'s address, to check it is stopped')
    .action(action(async (name: string | undefined, flags: RestoreFlags) => {
      const fileLayer: ConfigLayer = {};
      const configPath = flags.config ?? process.env.AGENTCOM_CONFIG;
      if (configPath) {
        const read = readConfigFile(configPath);
        if (!read.ok) throw new Error(read.detail);
        Object.assign(fileLayer, read.value);
      }
      const config = resolveConfig(fileLayer, configFromEnv(process.env), {
        data_dir: flags.dataDir, backup_dir: flags.backupDir, host: flags.host,
        port: flags.port === undefined ? undefined : Number(flags.port),
      });
      if (!config.ok) throw new Error(config.detail);
      const { data_dir: dataDir, backup_dir: backupDir, host, port } = config.value;
      const running = await hubRequest(`http://${host}:${port}`, 'GET', '/health', { timeoutMs: 1000 });
      if (running.ok && running.response.body?.service === 'agent_com') {
        throw new Error(`AC_ERR_HUB_RUNNING: a hub is running on ${host}:${port}: stop it first, or restore online with POST /api/admin/restore`);
      }
      // Loaded here, not at the top: the client subcommands need no LMDB.
      const { listBackups, readBackup, verifyBackupFile } = await import('../../storage/backup.ts');
      const { refusalMarkerOf, replacedDirOf } = await import('../../storage/checked-open.ts');
      const { openLmdbStore } = await import('../../storage/lmdb-store.ts');
      const { swapInBackup } = await import('../../storage/restore.ts');
      const { checkStoreIntegrity } = await import('../../storage/store-integrity.ts');
      const chosen = name && existsSync(join(resolve(name), 'manifest.json'))
        ? readBackup(resolve(name))
        : name ? listBackups(backupDir).find((info) => info.name === name) : listBackups(backupDir)[0];
      if (!chosen) throw new Error(`AC_ERR_BACKUP_NOT_FOUND: no good backup ${name ?? '(newest)'} in ${backupDir}`);
      const verified = await verifyBackupFile(chosen);
      if (!verified.ok) throw new Error(`${verified.code}: ${verified.detail}`);
      const swapped = swapInBackup(dataDir, chosen, replacedDirOf(backupDir), Date.now());
      if (!swapped.ok) throw new Error(`${swapped.code}: ${swapped.detail}`);
      const store = openLmdbStore({ path: dataDir });
      const report = await checkStoreIntegrity(store);
      await store.close();
      if (!report.ok) throw new Error(`AC_ERR_RESTORE_FAILED: the restored file failed its check: ${report.reason}`);
      rmSync(refusalMarkerOf(dataDir), { force: true });
      process.stdout.write([
        `restored ${chosen.name} (${formatTime(chosen.manifest.created_at)}, ${total(chosen.manifest.task_counts)} tasks) into ${dataDir}`,
        swapped.value.keptAside ? `the previous data file is kept at ${swapped.value.keptAside}` : 'there was no previous data file',
        '',
      ].join('\n'));
    }));
}

/** A one-line progress bar on stderr when it is a terminal; a line per 25% otherwise. */
function progressPrinter() {
  const tty = process.stderr.isTTY;
  let lastQuarter = -1;
  let shown = false;
  return {
    show(written: number, expected: number) {
      const ratio = expected > 0 ? Math.min(1, written / expected) : 0;
      if (tty) {
        const width = 30;
        const filled = Math.round(ratio * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(ratio * 100)}%  ${formatBytes(written)} / ${formatBytes(expected)}`);
        shown = true;
      } else if (Math.floor(ratio * 4) > lastQuarter) {
        lastQuarter = Math.floor(ratio * 4);
        process.stderr.write(`backup ${Math.round(ratio * 100)}% (${formatBytes(written)} of ${formatBytes(expected)})\n`);
      }
    },
    done() {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
