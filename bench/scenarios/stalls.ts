// Assignment latency while a backup and a compaction run (issue 9, scenario 5).
import { skipped, type Scenario } from '../lib/scenario.ts';

export const stallsScenario: Scenario = {
  name: 'stalls',
  description: 'assignment latency p99 while a backup and a compaction run',
  run: async () => skipped('needs backups/compaction (not built yet)'),
};
