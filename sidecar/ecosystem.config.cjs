// pm2 process file for one AgentCom sidecar: `pm2 start sidecar/ecosystem.config.cjs`.
// Set AGENTCOM_SIDECAR_NAME to run several agents on one machine, and
// AGENTCOM_SIDECAR_CONFIG to point at a config outside this folder.
const path = require('node:path');

const name = process.env.AGENTCOM_SIDECAR_NAME || 'agentcom-sidecar';
const config = process.env.AGENTCOM_SIDECAR_CONFIG || path.join(__dirname, 'config.json');

module.exports = {
  apps: [
    {
      name,
      script: path.join(__dirname, 'bin', 'agentcom-sidecar.mjs'),
      args: ['--config', config],
      cwd: path.dirname(config),
      interpreter: 'node',
      autorestart: true,
      // A run shorter than min_uptime counts as a crash; after max_restarts of
      // those in a row pm2 gives up instead of looping on a bad config.
      min_uptime: '30s',
      max_restarts: 20,
      // 100 ms, doubling up to 15 s between restarts; resets after a stable run.
      exp_backoff_restart_delay: 100,
      // SIGTERM first: the sidecar closes its socket with 1000 and exits 0.
      kill_timeout: 5000,
      merge_logs: true,
      // Under pm2 (pm_id set) the sidecar logs to stdout only, not to its log_file:
      // these files are its one log. Bound them with pm2-logrotate (docs/sidecar.md).
      out_file: path.join(path.dirname(config), 'pm2-out.log'),
      error_file: path.join(path.dirname(config), 'pm2-error.log'),
      env: { NODE_ENV: 'production' },
    },
  ],
};
