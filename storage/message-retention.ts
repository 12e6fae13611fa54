// Which stored messages a limit removes, decided once for both messaging engines
// (the limits themselves are runtime/messaging.ts's): the mailbox cap at each send, the
// sweep's TTL and cap, and how much of a channel's history its cap keeps.

/** How many messages a mailbox holds past its cap. */
export function overCap(count: number, cap: number): number {
  return Math.max(0, count - cap);
}

/**
 * At a send, of the `overCap` oldest seqs (oldest first), those the cap removes: none above
 * `evictableUpToSeq`, so a burst to a connected agent never evicts what it was not pushed yet.
 */
export function capEvictions(oldestSeqs: readonly number[], evictableUpToSeq: number): number[] {
  const doomed: number[] = [];
  for (const seq of oldestSeqs) {
    if (seq > evictableUpToSeq) break;
    doomed.push(seq);
  }
  return doomed;
}

/** At a sweep, of one mailbox's messages (oldest first), the seqs to remove: the expired, then the oldest past `cap`. */
export function sweepEvictions(messages: ReadonlyArray<{ seq: number; timestamp: number }>, notBefore: number, cap: number): number[] {
  const doomed: number[] = [];
  const kept: number[] = [];
  for (const { seq, timestamp } of messages) (timestamp < notBefore ? doomed : kept).push(seq);
  doomed.push(...kept.slice(0, overCap(kept.length, cap)));
  return doomed.sort((a, b) => a - b);
}

/** A channel's first kept seq once its history reaches `lastSeq` under a cap of `cap`. */
export function firstKeptSeq(firstSeq: number, lastSeq: number, cap: number): number {
  return Math.max(firstSeq, lastSeq - cap + 1);
}
