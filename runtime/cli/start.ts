// `agentcom start`: runs the hub in the foreground until SIGTERM or SIGINT.
import type { Command } from 'commander';
import type { ConfigLayer } from '../config.ts';
import { startBanner } from './start-banner.ts';

interface StartFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  config?: string;
  logLevel?: string;
  allowJsFallback?: boolean;
  inspect?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsClientCa?: string;
  requireTls?: boolean;
  recoverEmpty?: boolean;
  engine?: string;
  nats?: string;
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
    .option('--tls-cert <file>', 'PEM certificate (chain): serve https and wss (env AGENTCOM_TLS_CERT)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert (env AGENTCOM_TLS_KEY)')
    .option('--tls-ca <file>', 'PEM intermediate certificates sent after --tls-cert (env AGENTCOM_TLS_CA)')
    .option('--tls-client-ca <file>', 'ask agents for client certificates signed by this CA (mTLS; env AGENTCOM_TLS_CLIENT_CA)')
    .option('--require-tls', 'refuse to listen in clear text on a non-loopback address (env AGENTCOM_REQUIRE_TLS)')
    .option('--recover-empty', 'when the data file is corrupt and no good backup exists, start with an empty store (the bad file stays in quarantine)')
    .option('--engine <engine>', 'queue engine: lmdb (default, one hub) or jetstream (several hubs on one NATS cluster; env AGENTCOM_ENGINE)')
    .option('--nats <urls>', 'comma-separated NATS URLs for --engine jetstream, e.g. nats://127.0.0.1:4222 (env AGENTCOM_NATS)')
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
    tls_cert: flags.tlsCert,
    tls_key: flags.tlsKey,
    tls_ca: flags.tlsCa,
    tls_client_ca: flags.tlsClientCa,
    require_tls: flags.requireTls,
    recover_empty: flags.recoverEmpty,
    engine: flags.engine,
    nats_servers: flags.nats,
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

  const banner = startBanner({ ...running, version: running.hub.version });
  if (running.dataDir.created && running.dataDir.insideCheckout) {
    banner.push(
      `  Note       the data dir ${config.value.data_dir} is inside the git checkout ${running.dataDir.insideCheckout}:`,
      '             `git clean -xdf` there deletes the queue. Keep it elsewhere with --data-dir or AGENTCOM_DATA_DIR',
      '             (for example ~/.local/share/agentcom); see docs/operations.md, "Where the data lives".',
    );
  }
  if (running.clearTextWarning) banner.push(`  Warning    ${running.clearTextWarning}`);
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
    // Without TLS, SIGHUP keeps its default (the hub stops), as before.
    if (running.scheme === 'https') process.on('SIGHUP', () => void running.reloadTls('SIGHUP'));
  });
  return 0;
}

function failStart(reason: string): number {
  process.stderr.write(`agentcom: ${reason}\n`);
  return 2;
}
