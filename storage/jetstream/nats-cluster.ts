// The connection to a NATS cluster and the JetStream KV buckets the queue lives in.
//
// Buckets (prefix `agentcom` unless told otherwise, so several test queues share a server):
//   <prefix>_tasks  task id → task record (JSON); the KV revision is the record's version for
//                   compare-and-set. History 1: only the newest record of a task is kept.
//   <prefix>_meta   `seq` → the last queue sequence number handed out.
//   <prefix>_hubs   hub name → the hub's lease: its connected agents, renewed every few
//                   seconds (hub-presence.ts); entries age out of the stream after a while.
// Replicas: 1 on a single node, 3 (or the cluster size) for a cluster that survives a node.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { fail, ThrownFailure } from '../domain/errors.ts';
import { fencingAtRisk, firstSerializingRelease } from './nats-server-version.ts';

export interface NatsClusterOptions {
  /** nats://host:port URLs of the cluster's nodes (any one is enough to connect). */
  servers: readonly string[];
  /** Bucket name prefix: letters, digits, `_` and `-`. */
  prefix?: string;
  /** Replicas of each bucket's stream; at most the cluster size. */
  replicas?: number;
  /** Shown in the server's connection list. */
  name?: string;
  /** Run on a cluster whose nats-server lacks the compare-and-set fix anyway (nats-server-version.ts): tests of other faults only. */
  allowUnsafeServer?: boolean;
}

export interface NatsCluster {
  connection: NatsConnection;
  tasks: KV;
  meta: KV;
  hubs: KV;
  close(): Promise<void>;
}

export const defaultBucketPrefix = 'agentcom';
/** How long the stream keeps a hub's last lease record (liveness is judged by hub-presence.ts, not by this). */
const hubRecordAgeMs = 10 * 60_000;

export async function openNatsCluster(options: NatsClusterOptions): Promise<NatsCluster> {
  const connection = await connect({
    servers: [...options.servers],
    name: options.name ?? 'agentcom-hub',
    // A hub outlives node restarts: it keeps reconnecting, and writes fail as values meanwhile.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  try {
    if (fencingAtRisk(connection.info) && !options.allowUnsafeServer) {
      throw new ThrownFailure(fail('AC_ERR_NATS_UNSAFE', connection.info?.version ?? 'unknown', firstSerializingRelease.join('.')));
    }
    const kvm = new Kvm(jetstream(connection, { timeout: 10_000 }));
    const prefix = options.prefix ?? defaultBucketPrefix;
    const replicas = options.replicas ?? 1;
    // No direct gets: any replica may answer one, and a follower can answer with a record older
    // than one already acknowledged. A lost compare-and-set reads the key again and decides on
    // it, so that read must come from the stream leader (test/cluster/jetstream-reads.test.ts).
    // Applies when the bucket is created; a bucket made by an earlier version keeps direct gets.
    const consistent = { history: 1, replicas, storage: StorageType.File, allow_direct: false };
    const tasks = await kvm.create(`${prefix}_tasks`, consistent);
    const meta = await kvm.create(`${prefix}_meta`, consistent);
    const hubs = await kvm.create(`${prefix}_hubs`, { history: 1, replicas, storage: StorageType.File, ttl: hubRecordAgeMs });
    return { connection, tasks, meta, hubs, close: () => connection.drain() };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** True when a compare-and-set lost: the key moved on since the revision we wrote against. */
export function isRevisionConflict(error: unknown): boolean {
  return error instanceof JetStreamApiError
    && (error.code === JetStreamApiCodes.StreamWrongLastSequence || error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}
