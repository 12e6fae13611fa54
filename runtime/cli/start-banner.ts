// The human lines `agentcom start` prints on stderr. A token appears only when this
// start created it, once: an operator-set AGENTCOM_ADMIN_TOKEN is never echoed, since
// stderr ends up in pm2 and journald logs.
export interface BannerInput {
  version: string;
  transport: string;
  url: string;
  adminToken: string | null;
  adminTokenCreated: boolean;
}

export function startBanner(running: BannerInput): string[] {
  const lines = [
    '',
    `  AgentCom ${running.version} is running (${running.transport} uWebSockets.js)`,
    `  API        ${running.url}/api   (health: ${running.url}/health)`,
    `  Agents     ${running.url.replace(/^http/, 'ws')}/ws`,
  ];
  if (running.adminToken && running.adminTokenCreated) {
    lines.push(`  Dashboard  ${running.url}/#token=${running.adminToken}`);
    lines.push('  Admin token created on first start (shown once): keep it; `agentcom token create --admin` makes more.');
  } else {
    lines.push(`  Dashboard  ${running.url}/   (sign in with an admin token: AGENTCOM_ADMIN_TOKEN, or \`agentcom token create --admin\`)`);
  }
  return lines;
}
