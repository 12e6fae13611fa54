// The one uWebSockets.js app: HTTP API, agent socket /ws, dashboard socket /ws/dashboard.
import uWS from 'uWebSockets.js';
import type { us_listen_socket, WebSocket, WebSocketBehavior } from 'uWebSockets.js';
import type { Logger } from 'winston';
import { fail, type Failure } from '../storage/domain/errors.ts';
import { registerStaticFiles } from './static-files.ts';
import { agentSocketBehavior, type AgentSocketData } from './agent-socket.ts';
import { dashboardFeed } from './dashboard-socket.ts';
import { agentRoutes } from './http/agents.ts';
import { fleetControlRoutes } from './http/fleet-control.ts';
import { channelRoutes } from './http/channels.ts';
import { configRoutes } from './http/config.ts';
import { dashboardRoutes } from './http/dashboard.ts';
import { healthRoutes } from './http/health.ts';
import { messageRoutes } from './http/messages.ts';
import { observabilityRoutes } from './http/observability.ts';
import { onboardingRoutes } from './http/onboarding.ts';
import type { RouteDeps } from './http/route.ts';
import { mountRoutes } from './http/router.ts';
import { schemaRoutes } from './http/schemas.ts';
import { storageAdminRoutes } from './http/storage-admin.ts';
import { taskRoutes } from './http/tasks.ts';
import { scheduleRoutes } from './http/schedules.ts';
import { approvalRoutes } from './http/approvals.ts';
import { tokenRoutes } from './http/tokens.ts';
import type { HubPort } from './hub-port.ts';
import type { ObservabilityPort } from './observability-port.ts';
import { createWireValidator } from './validation.ts';
import { ViolationTracker } from './violation-tracker.ts';
import { wsTopicFanout } from './ws-topic-fanout.ts';
import { recordRoutes } from './route-recorder.ts';
import { CertificateSwap } from './tls-certificate-swap.ts';
import { describeCertificate, withUwsOptions, type TlsMaterial } from './tls-material.ts';
import { defaultConnectionLimits, IpLimits, type ConnectionLimits } from './connection-limits.ts';
import { rateLimitRoutes } from './http/rate-limits.ts';
import { enrollmentRoutes } from './http/enrollment.ts';

export type Transport = 'native' | 'js-fallback';

export interface ServerOptions {
  host: string;
  /** 0 picks a free port; the running server reports the real one. */
  port: number;
  hub: HubPort;
  logger: Logger;
  /** Largest WebSocket frame or HTTP body accepted. */
  maxPayloadBytes?: number;
  /** Run on uWS's pure-JS fallback when the native binding does not load. */
  allowJsFallback?: boolean;
  /** Folder with the dashboard's built files, served at /dashboard. */
  staticDir?: string;
  /** Clock for the violation tracker. */
  now?: () => number;
  /** Metrics, alerts and their settings; without it those routes are absent and nothing is recorded. */
  observability?: ObservabilityPort;
  /** With a certificate the server speaks https and wss (uWS SSLApp). */
  tls?: TlsMaterial;
  /** Connection-level limits (web/connection-limits.ts); defaults for what is left out. */
  limits?: Partial<ConnectionLimits>;
}

export interface RunningServer {
  port: number;
  transport: Transport;
  scheme: 'http' | 'https';
  /** New TLS handshakes use `material` from now on; open sockets stay (web/tls-certificate-swap.ts). */
  reloadTls(material: TlsMaterial): void;
  /** Stops listening and closes every socket with 1001 "hub shutting down". */
  close(): Promise<void>;
  /**
   * While the services behind the transport restart (an online restore): closes every
   * agent socket with 1012 so agents reconnect to the restarted hub, refuses upgrades and
   * answers HTTP with 503, and keeps listening. Closing and listening again would fail:
   * the connections the server closed hold the port in TIME_WAIT.
   */
  suspend(): void;
  resume(): void;
}

const defaultMaxPayloadBytes = 1024 * 1024;

/** The native listen(host, port, options, cb); the package's type declarations only have it without a host. */
/**
 * uWS.LIBUS_LISTEN_EXCLUSIVE_PORT (the type declarations only have it as the ListenOptions enum). The JS
 * fallback lacks the constant but takes the number, and its Node server listens exclusively anyway.
 */
const exclusivePort = (uWS as unknown as { LIBUS_LISTEN_EXCLUSIVE_PORT?: number }).LIBUS_LISTEN_EXCLUSIVE_PORT ?? 1;
type ExclusiveListen = {
  listen(host: string, port: number, options: number, cb: (socket: us_listen_socket | false) => void): unknown;
};

/** The uWS package loads its JS fallback silently when the native binding fails; only the native one has SSLApp. */
export function detectTransport(module: { SSLApp?: unknown }): Transport {
  return typeof module.SSLApp === 'function' ? 'native' : 'js-fallback';
}

/** The running server, or a failure value (fallback refused, port taken). */
export type StartedServer = (RunningServer & { ok: true }) | Failure;

export async function startServer(options: ServerOptions): Promise<StartedServer> {
  const log = options.logger.child({ module: 'web' });
  const transport = detectTransport(uWS as { SSLApp?: unknown });
  if (transport === 'js-fallback' && !options.allowJsFallback) {
    const failure = fail('AC_ERR_TRANSPORT_FALLBACK', 'SSLApp missing');
    log.error('refusing the uWebSockets.js JS fallback', { code: failure.code });
    return failure;
  }
  log.info('transport loaded', { transport });
  if (options.tls && transport !== 'native') {
    const failure = fail('AC_ERR_TLS_NEEDS_NATIVE');
    log.error('cannot serve TLS', { code: failure.code });
    return failure;
  }

  const maxPayloadBytes = options.maxPayloadBytes ?? defaultMaxPayloadBytes;
  const validator = createWireValidator();
  const tracker = new ViolationTracker(options.now);
  const limits: ConnectionLimits = { ...defaultConnectionLimits, ...options.limits };
  const ipLimits = new IpLimits(limits, options.now);
  const limiter = options.hub.rateLimiter;
  const tls = options.tls;
  // With TLS, routes are recorded so each server name's router gets them too (web/tls-certificate-swap.ts).
  const recorded = tls ? recordRoutes(withUwsOptions(tls, (tlsOptions) => uWS.SSLApp(tlsOptions))) : null;
  const app = recorded?.app ?? uWS.App();
  let port = options.port;
  let closed = false;
  let suspended = false;
  const refusedWhileSuspended = <T>(behavior: WebSocketBehavior<T>): WebSocketBehavior<T> => ({
    ...behavior,
    upgrade: (res, req, context) => {
      if (!suspended) return behavior.upgrade!(res, req, context);
      res.cork(() => res.writeStatus('503 Service Unavailable').end('the hub is restarting its storage', true));
    },
  });

  const agentSockets = new Set<WebSocket<AgentSocketData>>();
  const fanout = wsTopicFanout(app);
  options.hub.messaging.attachFanout(fanout);
  app.ws<AgentSocketData>('/ws', refusedWhileSuspended(agentSocketBehavior({
    hub: options.hub, validator, tracker, logger: options.logger, maxPayloadBytes, sockets: agentSockets, fanout,
    telemetry: options.observability?.telemetry,
    limiter, limits, ipLimits,
  })));
  const dashboards = dashboardFeed(app, { hub: options.hub, validator, logger: options.logger, observability: options.observability });
  app.ws('/ws/dashboard', dashboards.behavior);

  // Before the API routes: exact file routes win over the router's catch-all 404.
  if (options.staticDir) registerStaticFiles(app, options.staticDir);
  const deps: RouteDeps = { hub: options.hub, validator, logger: log, port: () => port, secure: Boolean(tls) };
  mountRoutes(app, [
    ...healthRoutes(deps), ...agentRoutes(deps), ...onboardingRoutes(deps), ...configRoutes(deps),
    ...taskRoutes(deps), ...tokenRoutes(deps), ...dashboardRoutes(deps), ...schemaRoutes(),
    ...messageRoutes(deps), ...channelRoutes(deps), ...rateLimitRoutes(deps), ...enrollmentRoutes(deps),
    ...scheduleRoutes(deps), ...approvalRoutes(deps),
    ...fleetControlRoutes(deps),
    ...storageAdminRoutes(deps),
    ...(options.observability ? observabilityRoutes(options.observability) : []),
  ], deps, {
    maxPayloadBytes, isClosing: () => closed || suspended, telemetry: options.observability?.telemetry,
    limiter, trustProxy: limits.trustProxy, limitAdmins: limits.limitAdmins,
  });

  const certificates = tls && recorded ? new CertificateSwap(app, tls, recorded.replay, log) : null;

  const listenSocket = await new Promise<us_listen_socket | false>((resolve) => {
    // Exclusive: uWS otherwise sets SO_REUSEPORT, and a second hub on the port would start
    // silently while the kernel split requests between the two.
    (app as unknown as ExclusiveListen).listen(options.host, options.port, exclusivePort, resolve);
  });
  if (!listenSocket) {
    dashboards.close(1001, 'hub shutting down');
    const failure = fail('AC_ERR_PORT_IN_USE', options.host, options.port);
    log.error('cannot listen', { code: failure.code, host: options.host, port: options.port });
    return failure;
  }
  port = uWS.us_socket_local_port(listenSocket as unknown as uWS.us_socket);
  log.info('listening', { host: options.host, port, max_payload_bytes: maxPayloadBytes, scheme: tls ? 'https' : 'http' });
  if (tls) log.info('serving TLS', { ...describeCertificate(tls), client_certificates: tls.clientCaPem ? 'asked' : 'off' });

  return {
    ok: true,
    port,
    transport,
    scheme: tls ? 'https' : 'http',
    reloadTls(material) {
      if (!certificates) return;
      certificates.replace(material);
      log.notice('TLS certificate reloaded', describeCertificate(material));
    },
    async close() {
      if (closed) return;
      closed = true;
      uWS.us_listen_socket_close(listenSocket);
      for (const ws of [...agentSockets]) ws.end(1001, 'hub shutting down');
      dashboards.close(1001, 'hub shutting down');
      // Then drop what is left (idle keep-alive HTTP connections): a lingering connection on the
      // port would keep a restarted hub from listening on it. The pause lets the close frames out.
      await new Promise((resolve) => setTimeout(resolve, 50));
      // close() exists on this uWS build's App, but its type declarations omit it.
      (app as uWS.TemplatedApp & { close(): void }).close();
      log.info('server closed', { port });
    },
    suspend() {
      suspended = true;
      for (const ws of [...agentSockets]) ws.end(1012, 'hub restarting storage');
      log.notice('transport suspended while storage restarts', { port });
    },
    resume() {
      suspended = false;
      log.notice('transport resumed', { port });
    },
  };
}
