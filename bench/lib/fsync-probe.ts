// How long this disk takes to make 4 KiB durable: the floor under every durable figure,
// and the first thing to compare when two machines disagree.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { summarize, type LatencySummary } from './sample-stats.ts';
import { makeTempDir } from './temp-dir.ts';

export function probeFsync(writes = 200): LatencySummary {
  const dir = makeTempDir('fsync');
  const fd = openSync(join(dir.path, 'probe'), 'w');
  const block = Buffer.alloc(4096, 1);
  const samples: number[] = [];
  try {
    for (let i = 0; i < writes; i++) {
      const startedAt = performance.now();
      writeSync(fd, block, 0, block.length, (i % 64) * block.length);
      fsyncSync(fd);
      samples.push(performance.now() - startedAt);
    }
  } finally {
    closeSync(fd);
    dir.remove();
  }
  return summarize(samples);
}
