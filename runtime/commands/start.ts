// `agentcom start`: runs the hub in the foreground until SIGTERM or SIGINT.
import type { Command } from 'commander';
import type { ConfigLayer } from '../config.ts';

interface StartFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  config?: string;
  logLevel?: string;
  allowJsFallback?: boolean;
  inspect?: boolean;
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the hub (HTTP API, agent and dashboard sockets) in the foreground')
    .option('-p, --port <port>', 'port for HTTP and WebSocket (env AGENTCOM_PORT or PORT; default 4000)')
    .option('-H, --host <host>', 'address to listen on (env AGENTCOM_HOST; default 127.0.0.1)')
    .option('-d, --data-dir <dir>', 'LMDB data folder (env AGENTCOM_DATA_DIR; default ./data)')
    .option('-c, --config <file>', 'JSON config file; flags override env, env overrides the file')
    .option('--log-level <level>', 'debug, info, notice, warning or error')
    .option('--allow-js-fallback', 'run on the slower pure-JS server if the native uWebSockets.js binding cannot load')
    .option('--inspect', 'stream actor events to a local Stately inspector (port 8080)')
    .action(async (flags: StartFlags) => {
      const code = await start(flags);
      if (code !== 0) process.exit(code);
    });
}

async function start(flags: StartFlags): Promise<number> {
  // Loaded here, not at the top: the other subcommands are HTTP clients, and ajv and winston
  // alone would double every CLI call's start time.
  const { configFromEnv, readConfigFile, resolveConfig } = await import('../config.ts');
  const { createLogger } = await import('../logger.ts');
  const fileLayer: ConfigLayer = {};
  const configPath = flags.config ?? process.env.AGENTCOM_CONFIG;
  if (configPath) {
    const read = readConfigFile(configPath);
    if (!read.ok) return failStart(read.detail);
    Object.assign(fileLayer, read.value);
  }
  const flagLayer: ConfigLayer = {
    port: flags.port === undefined ? undefined : /^\d+$/.test(flags.port) ? Number(flags.port) : flags.port,
    host: flags.host,
    data_dir: flags.dataDir,
    log_level: flags.logLevel,
    allow_js_fallback: flags.allowJsFallback,
    inspect: flags.inspect,
  };
  const config = resolveConfig(fileLayer, configFromEnv(process.env), flagLayer);
  if (!config.ok) return failStart(config.detail);

  const logger = createLogger(config.value.log_level);
  // Loaded here, not at the top: the other subcommands are HTTP clients and need none of the hub.
  const { startHub } = await import('../boot.ts');
  let running;
  try {
    running = await startHub({ config: config.value, logger, adminToken: process.env.AGENTCOM_ADMIN_TOKEN || undefined });
  } catch (error) {
    return failStart(error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error));
  }

  const banner = [
    '',
    `  AgentCom ${running.hub.version} is running (${running.transport} uWebSockets.js)`,
    `  API        ${running.url}/api   (health: ${running.url}/health)`,
    `  Agents     ${running.url.replace(/^http/, 'ws')}/ws`,
  ];
  if (running.adminToken) {
    banner.push(`  Dashboard  ${running.url}/#token=${running.adminToken}`);
    if (running.adminTokenCreated) banner.push('  Admin token created on first start (shown once): keep it; `agentcom token create --admin` makes more.');
  } else {
    banner.push(`  Dashboard  ${running.url}/   (needs an admin token: set AGENTCOM_ADMIN_TOKEN, or \`agentcom token create --admin\`)`);
  }
  // Human lines on stderr keep stdout pure JSON log lines for jq.
  process.stderr.write(`${banner.join('\n')}\n\n`);

  // Past the root's restart intensity nothing is left to recover in-process: exit non-zero for pm2/systemd.
  running.root.subscribe({
    error: (error) => {
      logger.error('supervision tree gave up', { module: 'cli', error: String(error) });
      process.exitCode = 1;
      setTimeout(() => process.exit(1), 100).unref();
    },
  });

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.notice('shutting down', { module: 'cli', signal });
      void running.stop().then(resolve);
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}

function failStart(reason: string): number {
  process.stderr.write(`agentcom: ${reason}\n`);
  return 2;
}
