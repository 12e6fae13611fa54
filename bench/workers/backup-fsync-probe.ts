// The disk's side of a backup, without the hub: the fsync latency a hub commit would see (a
// probe thread writing 4 KiB and fdatasync-ing every 2 ms) while takeBackup copies a
// 100k-task store straight to the backup dir, then staged in /dev/shm and written under the
// budget, alternating. Less noisy than assignment latency on a shared machine, since it leaves
// the hub's CPU out. Issue 13, "stalls: fifth session" in docs/benchmarks.md.
//
//   node --import tsx bench/workers/backup-fsync-probe.ts [rounds=3]   (MBPS=50 sets the budget)
import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { takeBackup } from '../../storage/backup.ts';
import { writeBudget } from '../../storage/budgeted-copy.ts';
import { openLmdbStore } from '../../storage/lmdb-store.ts';
import { LmdbTaskQueue } from '../../storage/task-queue.ts';
import { newTask } from '../../test/support/task-factory.ts';
import { makeTempDir } from '../lib/temp-dir.ts';

const scratch = makeTempDir('backup-fsync-probe');
const base = scratch.path;
const probeSrc = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const fd = fs.openSync('${base}/probe', 'w');
let on = false, lat = [], i = 0;
parentPort.on('message', (m) => { if (m === 'start') { on = true; lat = []; } else { on = false; parentPort.postMessage(lat); } });
(function tick() {
  if (on) { fs.writeSync(fd, Buffer.alloc(4096, i++), 0, 4096, (i % 64) * 4096); const t = performance.now(); fs.fdatasyncSync(fd); lat.push(performance.now() - t); }
  setTimeout(tick, 2);
})();`;
const probe = new Worker(probeSrc, { eval: true });
const measure = async <T>(work: () => Promise<T>) => {
  probe.postMessage('start');
  const value = await work();
  probe.postMessage('stop');
  const lat = await new Promise<number[]>((r) => probe.once('message', r));
  lat.sort((a, b) => a - b);
  const q = (p: number) => (lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? 0).toFixed(1);
  return { value, text: `n=${lat.length} p50=${q(0.5)} p99=${q(0.99)} max=${q(1)}` };
};
const dataDir = `${base}/store`;
const store = openLmdbStore({ path: dataDir });
const queue = LmdbTaskQueue.onStore(store);
for (let b = 0; b < 100; b++) await Promise.all(Array.from({ length: 1000 }, (_, i) => queue.submit(newTask({ description: `t ${b} ${i} ${'d'.repeat(400)}` }), 1)));
console.log('idle', (await measure(() => new Promise((r) => setTimeout(r, 1500)))).text);
for (let round = 0; round < Number(process.argv[2] ?? 3); round++) {
  for (const staged of [false, true]) {
    rmSync(`${base}/backups`, { recursive: true, force: true });
    const { value, text } = await measure(() => takeBackup(store, {
      backupDir: `${base}/backups`, hubVersion: 'probe', compact: true,
      staging: staged ? { dir: '/dev/shm' } : null, writeBudget: writeBudget(Number(process.env.MBPS ?? 50)),
    }));
    if (!value.ok) throw new Error(value.detail);
    console.log(staged ? 'staged' : 'direct', text, JSON.stringify(value.value.copy), `size ${(value.value.manifest.size_bytes / 2 ** 20).toFixed(0)} MiB in ${value.value.manifest.duration_ms} ms`);
  }
}
await queue.close();
scratch.remove();
process.exit(0);
