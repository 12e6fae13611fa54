// Random path sets over a synthetic 10,000-file tree, for the scheduler's lease stage:
// d0..d19 / s0..s24 / f0..f19.ts (20 × 25 × 20 files). A task leases 1 to 4 globs: mostly
// single files, some a whole sub-folder, a few every .ts file of a sub-folder. Seeded, so
// the runs with and without leases drain the same tasks.
import { mulberry32 } from '../../test/support/random-dag.ts';

export const pathTree = { tops: 20, subs: 25, files: 20 } as const;
export const pathTreeFiles = pathTree.tops * pathTree.subs * pathTree.files;

export function randomPathSets(count: number, seed: number): string[][] {
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const sets: string[][] = [];
  for (let i = 0; i < count; i += 1) {
    const globs = new Set<string>();
    const size = 1 + pick(4);
    while (globs.size < size) {
      const folder = `d${pick(pathTree.tops)}/s${pick(pathTree.subs)}`;
      const kind = random();
      globs.add(kind < 0.8 ? `${folder}/f${pick(pathTree.files)}.ts` : kind < 0.95 ? `${folder}/**` : `${folder}/*.ts`);
    }
    sets.push([...globs]);
  }
  return sets;
}

/**
 * 1 to 4 random single files of the same tree per task, no folder globs: overlaps still
 * happen (1,000 tasks in flight hold about a quarter of the files), but a held-back task
 * always has free ones behind it, so the drain shows what the leases cost rather than how
 * little of a folder-heavy workload can run at once.
 */
export function randomFileSets(count: number, seed: number): string[][] {
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const sets: string[][] = [];
  for (let i = 0; i < count; i += 1) {
    const files = new Set<string>();
    const size = 1 + pick(4);
    while (files.size < size) files.add(`d${pick(pathTree.tops)}/s${pick(pathTree.subs)}/f${pick(pathTree.files)}.ts`);
    sets.push([...files]);
  }
  return sets;
}
