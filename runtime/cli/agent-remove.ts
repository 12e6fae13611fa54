// `agentcom agent remove <id>`: stop the sidecar, revoke the token, delete the
// config folder, and say for each step whether it was done or skipped and why.
import { existsSync, rmSync } from 'node:fs';
import { agentFolderOf, configPathOf, readAgentConfig } from './agent-config-file.ts';
import { describeHubError, hubRequest, hubUrlFrom } from './hub-request.ts';
import { deleteFromPm2, findPm2, pm2NameOf } from './sidecar-launch.ts';

export interface RemoveAgentOptions {
  agentId: string;
  agentsDir: string;
  /** `--hub` as given; falls back to the config's hub_api_url, then the usual defaults. */
  hubFlag?: string;
  /** An admin token; without one the agent's own token from its config is used. */
  adminToken?: string;
}

export type StepOutcome = 'done' | 'skipped' | 'failed';

export interface RemoveStep {
  step: 'stop_sidecar' | 'revoke_token' | 'remove_config';
  outcome: StepOutcome;
  detail: string;
}

export interface RemoveReport {
  agent_id: string;
  steps: RemoveStep[];
  /** False when a step failed; the config folder is then kept, since its token may be the only way to finish. */
  ok: boolean;
}

export async function removeAgent(options: RemoveAgentOptions): Promise<RemoveReport> {
  const { agentId, agentsDir } = options;
  const steps: RemoveStep[] = [];
  const configPath = configPathOf(agentsDir, agentId);
  const read = readAgentConfig(configPath);
  const config = read.state === 'present' ? read.config : {};
  const hubUrl = hubUrlFrom(options.hubFlag, typeof config.hub_api_url === 'string' ? config.hub_api_url : undefined);

  steps.push(await stopSidecar(agentId));
  steps.push(await revokeToken(hubUrl, agentId, options.adminToken, typeof config.token === 'string' ? config.token : undefined));

  const failed = steps.some((step) => step.outcome === 'failed');
  const folder = agentFolderOf(agentsDir, agentId);
  if (failed) {
    steps.push({ step: 'remove_config', outcome: 'skipped', detail: `kept ${folder}: an earlier step failed and its token may still be needed` });
  } else if (!existsSync(folder)) {
    steps.push({ step: 'remove_config', outcome: 'skipped', detail: `${folder} does not exist` });
  } else {
    rmSync(folder, { recursive: true, force: true });
    steps.push({ step: 'remove_config', outcome: 'done', detail: `removed ${folder}` });
  }
  return { agent_id: agentId, steps, ok: !failed };
}

async function stopSidecar(agentId: string): Promise<RemoveStep> {
  const pm2 = findPm2();
  if (!pm2) {
    return {
      step: 'stop_sidecar', outcome: 'skipped',
      detail: 'pm2 is not installed; a sidecar started by hand keeps retrying with a revoked token until you stop it',
    };
  }
  const deleted = await deleteFromPm2(pm2, agentId);
  if (deleted.ok) return { step: 'stop_sidecar', outcome: 'done', detail: `stopped and deleted pm2 process ${pm2NameOf(agentId)}` };
  // pm2 exits non-zero when there is no such process: nothing to stop.
  return { step: 'stop_sidecar', outcome: 'skipped', detail: `no pm2 process ${pm2NameOf(agentId)} (pm2: ${deleted.output || 'no output'})` };
}

async function revokeToken(hubUrl: string, agentId: string, adminToken: string | undefined, ownToken: string | undefined): Promise<RemoveStep> {
  const token = adminToken ?? ownToken;
  if (!token) {
    return {
      step: 'revoke_token', outcome: 'failed',
      detail: 'no token to revoke with: the agent has no config here; give an admin token with --token or AGENTCOM_ADMIN_TOKEN',
    };
  }
  const reach = await hubRequest(hubUrl, 'DELETE', `/admin/tokens/${encodeURIComponent(agentId)}`, { token });
  if (!reach.ok) return { step: 'revoke_token', outcome: 'failed', detail: reach.reason };
  const { status } = reach.response;
  if (status === 200) {
    // Revoking closes the agent's socket; the hub puts the tasks it held back in the queue.
    return { step: 'revoke_token', outcome: 'done', detail: `revoked ${agentId}'s token on ${hubUrl}; its tasks go back to the queue` };
  }
  if (status === 404) return { step: 'revoke_token', outcome: 'skipped', detail: `${hubUrl} has no token for ${agentId}` };
  if (status === 401 && !adminToken) {
    // The agent's own token is unknown to the hub: it was revoked already.
    return { step: 'revoke_token', outcome: 'skipped', detail: `${hubUrl} no longer accepts ${agentId}'s token (already revoked)` };
  }
  return { step: 'revoke_token', outcome: 'failed', detail: `revoking on ${hubUrl}: ${describeHubError(reach.response)}` };
}
