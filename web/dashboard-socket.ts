// The dashboard socket, /ws/dashboard: an admin-only feed. On auth it gets a
// snapshot; then hub events are batched and published at most every 100 ms through
// one uWS topic, so fan-out costs one serialisation whatever the number of dashboards.
import type { HttpRequest, HttpResponse, TemplatedApp, us_socket_context_t, WebSocket, WebSocketBehavior } from 'uWebSockets.js';
import type { Logger } from 'winston';
import { parseJsonInput } from './json-input.ts';
import { coalesceEvents } from './dashboard-coalesce.ts';
import { serializeDashboardFrame } from './frame-serializer.ts';
import type { HubServices } from './ports/hub-services.ts';
import type { DashboardFrame } from './protocol/dashboard-messages.ts';
import type { DashboardEvent } from './protocol/dashboard-events.ts';
import type { SnapshotFrame } from './protocol/dashboard-snapshot.ts';
import type { DashboardOutboundFrame } from './protocol/index.ts';
import type { ObservabilityPort } from './observability-port.ts';
import type { WireValidator } from './validation.ts';
import { noWebTelemetry } from './web-telemetry.ts';

const dashboardTopic = 'dashboard';
const dashboardFlushMs = 100;
const dashboardMaxBackpressureBytes = 1024 * 1024;
/** A dashboard this far behind is disconnected before it would start missing events; it reconnects to a fresh snapshot. */
const dashboardLagLimitBytes = dashboardMaxBackpressureBytes / 2;
/** Events kept between flushes when no one drains them; the oldest go first. */
const dashboardMaxPendingEvents = 5_000;
const authTimeoutMs = 10_000;

export interface DashboardSocketData {
  remoteAddress: string;
  authenticated: boolean;
  closed: boolean;
  authTimer: NodeJS.Timeout | null;
}

type DashboardWs = WebSocket<DashboardSocketData>;

export interface DashboardFeed {
  behavior: WebSocketBehavior<DashboardSocketData>;
  /** Unsubscribes from the hub, stops the timer and closes every dashboard with the given code. */
  close(code: number, reason: string): void;
}

export function dashboardFeed(
  app: TemplatedApp,
  deps: { hub: Pick<HubServices, 'access' | 'dashboard' | 'tasks'>; validator: WireValidator; logger: Logger; observability?: ObservabilityPort },
): DashboardFeed {
  const { hub: { access, dashboard, tasks }, validator, observability } = deps;
  const telemetry = observability?.telemetry ?? noWebTelemetry;
  const log = deps.logger.child({ module: 'web', socket: 'dashboard' });
  const sockets = new Set<DashboardWs>();
  let pending: DashboardEvent[] = [];
  let flushTimer: NodeJS.Timeout | null = null;
  let droppedEvents = 0;

  // Subscribed only while a dashboard socket is open: with none, the hub turns no event into a frame.
  let unsubscribe: (() => void) | null = null;
  const listen = (event: DashboardEvent) => {
    if (sockets.size === 0) return;
    pending.push(event);
    if (pending.length > dashboardMaxPendingEvents) {
      pending.shift();
      droppedEvents += 1;
    }
    flushTimer ??= setTimeout(flush, dashboardFlushMs);
  };

  function flush(): void {
    flushTimer = null;
    if (pending.length === 0) return;
    if (droppedEvents > 0) {
      log.warning('dashboard event buffer overflowed; oldest events dropped', { dropped: droppedEvents });
      droppedEvents = 0;
    }
    for (const ws of sockets) {
      if (ws.getBufferedAmount() > dashboardLagLimitBytes) {
        log.warning('dashboard too slow; disconnecting', { code: 'AC_ERR_BACKPRESSURE', remote: ws.getUserData().remoteAddress });
        telemetry.backpressureClose('dashboard');
        ws.end(4008, 'backpressure');
      }
    }
    const batch = coalesceEvents(pending);
    pending = [];
    app.publish(dashboardTopic, serializeDashboardFrame({ type: 'events', data: batch }));
    telemetry.frameSent('dashboard', 'events');
  }

  function send(ws: DashboardWs, message: DashboardOutboundFrame): void {
    if (ws.getUserData().closed) return;
    ws.cork(() => {
      ws.send(serializeDashboardFrame(message));
    });
  }

  function admit(ws: DashboardWs): void {
    const data = ws.getUserData();
    data.authenticated = true;
    if (data.authTimer) clearTimeout(data.authTimer);
    data.authTimer = null;
    ws.subscribe(dashboardTopic);
    send(ws, snapshotFrame());
  }

  /** The reference's snapshot frame: the state, and the active alerts beside it. */
  function snapshotFrame(): SnapshotFrame {
    const alerts = observability?.activeAlerts() ?? [];
    return { type: 'snapshot', data: { ...dashboard.dashboardState(), active_alerts: alerts }, alerts };
  }

  const isAdmin = (token: string) => access.authenticate(token)?.scope === 'admin';

  async function handle(ws: DashboardWs, message: DashboardFrame): Promise<void> {
    const data = ws.getUserData();
    if (!data.authenticated) {
      if (message.type === 'auth' && isAdmin(message.token)) return admit(ws);
      ws.end(1008, 'admin token required');
      return;
    }
    if (message.type === 'request_snapshot') return send(ws, snapshotFrame());
    if (message.type === 'retry_task') {
      const { task_id: taskId } = message;
      const retried = await tasks.retryDeadLetter(taskId);
      send(ws, retried.ok
        ? { type: 'retry_result', task_id: taskId, status: 'requeued' }
        : { type: 'retry_result', task_id: taskId, status: 'not_found', code: retried.code });
    }
    if (message.type === 'acknowledge_alert') {
      const ruleId = message.rule_id;
      const acknowledged = observability ? await observability.acknowledgeAlert(ruleId) : null;
      return send(ws, acknowledged?.ok
        ? { type: 'alert_ack_result', rule_id: ruleId, status: 'acknowledged' }
        : { type: 'alert_ack_result', rule_id: ruleId, status: 'not_found', code: 'AC_ERR_ALERT_NOT_FOUND' });
    }
  }

  const behavior: WebSocketBehavior<DashboardSocketData> = {
    maxPayloadLength: 64 * 1024,
    idleTimeout: 120,
    sendPingsAutomatically: true,
    maxBackpressure: dashboardMaxBackpressureBytes,

    upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t) {
      const token = req.getQuery('token') ?? '';
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const remoteAddress = Buffer.from(res.getRemoteAddressAsText()).toString();
      // A token in the URL is checked before upgrading; without one the first frame must be `auth`.
      if (token && !isAdmin(token)) {
        res.writeStatus('401 Unauthorized').writeHeader('content-type', 'application/json')
          .end(JSON.stringify({ error: 'unauthorized', code: 'AC_ERR_UNAUTHORIZED', hint: 'the dashboard needs an admin token' }));
        return;
      }
      const data: DashboardSocketData = { remoteAddress, authenticated: token !== '', closed: false, authTimer: null };
      res.upgrade(data, key, protocol, extensions, context);
    },

    open(ws) {
      sockets.add(ws);
      unsubscribe ??= dashboard.onEvent(listen);
      telemetry.socketOpened('dashboard');
      const data = ws.getUserData();
      if (data.authenticated) return admit(ws);
      data.authTimer = setTimeout(() => {
        if (!data.closed) ws.end(1008, 'admin token required');
      }, authTimeoutMs);
    },

    message(ws, buffer, isBinary) {
      let raw: unknown = null;
      if (!isBinary) {
        const input = parseJsonInput(new Uint8Array(buffer));
        if (!input.ok) {
          const code = input.problem === 'too_deep' ? 'AC_ERR_JSON_TOO_DEEP' : input.problem === 'invalid_unicode' ? 'AC_ERR_VALIDATION' : 'AC_ERR_INVALID_JSON';
          return send(ws, { type: 'error', error: input.problem, code });
        }
        raw = input.value;
      }
      const frame = validator.dashboardFrame(raw);
      telemetry.frameReceived('dashboard', frame.ok ? frame.type : 'invalid');
      if (!frame.ok) {
        telemetry.validationError('dashboard_ws');
        if (!ws.getUserData().authenticated) return ws.end(1008, 'admin token required');
        return send(ws, { type: 'error', error: 'validation_failed', code: 'AC_ERR_VALIDATION', message_type: frame.messageType, errors: frame.errors });
      }
      handle(ws, frame.message).catch((error: unknown) => {
        log.error('dashboard frame failed', { code: 'AC_ERR_INTERNAL', error: String(error) });
      });
    },

    close(ws, code) {
      const data = ws.getUserData();
      data.closed = true;
      if (data.authTimer) clearTimeout(data.authTimer);
      sockets.delete(ws);
      if (sockets.size === 0) {
        unsubscribe?.();
        unsubscribe = null;
      }
      telemetry.socketClosed('dashboard');
      log.debug('dashboard socket closed', { close_code: code, remote: data.remoteAddress });
    },
  };

  return {
    behavior,
    close(code, reason) {
      unsubscribe?.();
      unsubscribe = null;
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      pending = [];
      for (const ws of [...sockets]) ws.end(code, reason);
    },
  };
}
