// One hub for the length of a scenario: a temp folder with its data dir and log, the hub
// process, and cleanup in every case. With `profile`, the hub runs under --cpu-prof and
// the session returns the profile's summary after a graceful stop.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeProfiles, type ProfileSummary } from './cpu-profile.ts';
import { cpuProfilesIn, startHubProcess, type HubProcess, type HubProcessOptions } from './hub-process.ts';
import type { Progress } from './progress.ts';
import { makeTempDir, type TempDir } from './temp-dir.ts';

export interface HubSession {
  hub: HubProcess;
  dir: TempDir;
  dataDir: string;
  logPath: string;
  /** Spawn → first 200 from GET /health of the first hub process, ms. */
  readyMs: number;
  /** Starts another hub process on the same data dir and port (after a kill). */
  restart(): Promise<HubProcess>;
}

export interface SessionOptions {
  label: string;
  progress: Progress;
  profile?: boolean;
  /** Use this data dir instead of an empty one (restart scenario builds one first). */
  dataDir?: string;
  hub?: Partial<HubProcessOptions>;
}

export async function withHub<T>(options: SessionOptions, body: (session: HubSession) => Promise<T>): Promise<{ value: T; profile: ProfileSummary | null }> {
  const dir = makeTempDir(options.label);
  const dataDir = options.dataDir ?? join(dir.path, 'data');
  const logPath = join(dir.path, 'hub.log');
  const profileDir = join(dir.path, 'cpu-prof');
  mkdirSync(profileDir);
  const nodeArgs = options.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const processOptions: HubProcessOptions = { dataDir, logPath, nodeArgs, ...options.hub };
  let hub = await startHubProcess(processOptions);
  options.progress.stage(`hub pid ${hub.pid} on port ${hub.port}, data dir ${dataDir}${options.profile ? ', under --cpu-prof' : ''}`);
  const session: HubSession = {
    hub, dir, dataDir, logPath, readyMs: NaN,
    async restart() {
      hub = await startHubProcess({ ...processOptions, port: hub.port, adminToken: hub.adminToken });
      session.hub = hub;
      return hub;
    },
  };
  let failed = false;
  try {
    session.readyMs = (await hub.waitReady()) - hub.spawnedAt;
    const value = await body(session);
    let profile: ProfileSummary | null = null;
    if (options.profile) {
      await hub.stop();
      const files = cpuProfilesIn(profileDir);
      if (files.length === 0) throw new Error(`the hub wrote no .cpuprofile into ${profileDir} (did it exit cleanly on SIGTERM?)`);
      profile = summarizeProfiles(files);
    }
    return { value, profile };
  } catch (error) {
    failed = true;
    options.progress.stage(`failed; hub log and data kept in ${dir.path}`);
    throw error;
  } finally {
    await session.hub.kill();
    // BENCH_KEEP=1 keeps the hub's log and data dir for a look afterwards.
    if (failed || process.env.BENCH_KEEP === '1') options.progress.stage(`kept ${dir.path}`);
    else dir.remove();
  }
}
