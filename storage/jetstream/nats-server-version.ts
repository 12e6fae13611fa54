// Which nats-server releases keep the promise the JetStream engine's fencing rests on: of two
// concurrent writes to one key that expect the same revision, only one is accepted.
//
// Before 2.9.21 a clustered stream checked the expected revision only before proposing the write
// to its Raft group, not as part of it (nats-io/nats-server#4320, fixed by #4319): two hubs
// claiming one task at the same moment could both succeed and hand it to two agents. Debian
// bookworm ships 2.9.10. A single node that is not part of a cluster checks it under its stream
// lock and is not affected.

/** The first release with the fix. */
export const firstSerializingRelease = [2, 9, 21] as const;

/** True when `version` (the server's INFO, e.g. "2.9.10" or "2.10.4-beta.2") orders compare-and-set writes. */
export function serializesCompareAndSet(version: string | undefined): boolean {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version ?? '');
  if (!match) return false;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [fixMajor, fixMinor, fixPatch] = firstSerializingRelease;
  if (major !== fixMajor) return major > fixMajor;
  if (minor !== fixMinor) return minor > fixMinor;
  return patch >= fixPatch;
}

/** A server in a cluster (its INFO names one) whose release lacks the fix. */
export function fencingAtRisk(info: { version?: string; cluster?: string } | undefined): boolean {
  return Boolean(info?.cluster) && !serializesCompareAndSet(info?.version);
}
