// Seeded random DAGs for tests and benches: node i depends only on earlier nodes, so
// every graph is acyclic by construction.

/** For each node, the indexes of the earlier nodes it depends on (about `averageFanIn` of them). */
export function randomDag(size: number, averageFanIn: number, random: () => number): number[][] {
  return Array.from({ length: size }, (_, node) => {
    if (node === 0) return [];
    const wanted = Math.min(node, Math.floor(random() * (2 * averageFanIn + 1)));
    const picked = new Set<number>();
    while (picked.size < wanted) picked.add(Math.floor(random() * node));
    return [...picked];
  });
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
