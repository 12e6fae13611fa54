// The `maintenance` service: scheduled backups and compaction checks (node-cron).
// The schedules start with the tree and stop with it, so nothing runs while storage
// restarts; the work itself is StorageOps', which runs one operation at a time.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from './logger.ts';
import type { ServiceSpec } from './service-chain.ts';
import type { StorageOps } from './storage-ops.ts';

export interface MaintenanceOptions {
  /** Cron expressions, or "off". */
  backupSchedule: string;
  compactionSchedule: string;
  storageOps: StorageOps;
  logger: Logger;
}

export function maintenanceService(options: MaintenanceOptions): ServiceSpec<unknown, ScheduledTask[]> {
  const log = options.logger.child({ module: 'maintenance' });
  return {
    start: async () => {
      const tasks: ScheduledTask[] = [];
      if (options.backupSchedule !== 'off') {
        tasks.push(cron.schedule(options.backupSchedule, async () => {
          await options.storageOps.backup('schedule');
        }, { noOverlap: true, unref: true }));
      }
      if (options.compactionSchedule !== 'off') {
        tasks.push(cron.schedule(options.compactionSchedule, async () => {
          await options.storageOps.compact('schedule');
        }, { noOverlap: true, unref: true }));
      }
      log.info('maintenance scheduled', { backup_schedule: options.backupSchedule, compaction_schedule: options.compactionSchedule });
      return tasks;
    },
    stop: async (tasks) => {
      for (const task of tasks) await task.destroy();
    },
  };
}
