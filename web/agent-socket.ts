// The agent socket, /ws (reference §1–§3): identify first, then heartbeats, queries
// and task reports. Every frame is parsed once and validated before the hub sees it.
//
// Liveness: uWS closes a socket after `idleTimeout` (60 s) without inbound data, as
// the reference does. It also sends protocol pings on its own (sendPingsAutomatically),
// and the client's automatic pong counts as traffic, so a healthy client that never
// sends `ping` stays connected; a dead peer sends no pong and is closed. Every inbound
// frame and pong refreshes the hub's last_seen (reference quirk 12 counted only `ping`).
import type { HttpRequest, HttpResponse, us_socket_context_t, WebSocket, WebSocketBehavior } from 'uWebSockets.js';
import type { Logger } from 'winston';
import type { ErrorCode, Failure } from '../runtime/errors.ts';
import { messagingFrame } from './agent-messaging.ts';
import { serializeFrame } from './frame-serializer.ts';
import { agentInfo, connected } from './http/agents.ts';
import type { AgentLink, HubPort } from './hub-port.ts';
import type { TaskAck } from './protocol/agent-replies.ts';
import type { Identify } from './protocol/identify.ts';
import type { AgentFrame, TaskReportFrame } from './protocol/index.ts';
import type { ValidationErrorItem, WireValidator } from './validation.ts';
import type { SocketViolations, ViolationTracker } from './violation-tracker.ts';
import type { WsTopicFanout } from './ws-topic-fanout.ts';

const agentIdleTimeoutSeconds = 60;
const agentMaxBackpressureBytes = 1024 * 1024;
/** Close code for a socket whose send buffer overflowed (application range). */
const backpressureCloseCode = 4008;
/** How long an overflowed socket may take to drain before it is dropped without a close frame. */
const overflowDrainMs = 10_000;

export interface AgentSocketData {
  linkId: number;
  remoteAddress: string;
  agentId: string | null;
  violations: SocketViolations;
  closed: boolean;
  /** Set when a send overflowed: nothing more is sent, and the socket closes once the buffer drains. */
  overflowTimer: NodeJS.Timeout | null;
  link: AgentLink | null;
}

export interface AgentSocketDeps {
  hub: HubPort;
  validator: WireValidator;
  tracker: ViolationTracker;
  logger: Logger;
  maxPayloadBytes: number;
  /** Open sockets, so the server can close them at shutdown. */
  sockets: Set<WebSocket<AgentSocketData>>;
  /** Maps links to sockets for uWS topic subscribe/publish. */
  fanout: WsTopicFanout;
}

type Frame = Record<string, unknown>;
type AgentWs = WebSocket<AgentSocketData>;

let nextLinkId = 1;

export function agentSocketBehavior(deps: AgentSocketDeps): WebSocketBehavior<AgentSocketData> {
  const { hub, validator, tracker, sockets } = deps;
  const log = deps.logger.child({ module: 'web', socket: 'agent' });

  function makeLink(ws: AgentWs, data: AgentSocketData): AgentLink {
    return {
      linkId: data.linkId,
      send: (message) => sendFrame(ws, data, message),
      // Deferred: the hub calls this from inside its own flows, and closing runs our
      // close handler (which calls back into the hub) synchronously.
      close: (code, reason) => queueMicrotask(() => {
        if (!data.closed) ws.end(code, reason);
      }),
      bufferedBytes: () => (data.closed ? 0 : ws.getBufferedAmount()),
    };
  }

  function sendFrame(ws: AgentWs, data: AgentSocketData, message: Frame): boolean {
    if (data.closed || data.overflowTimer) return false;
    let status = 0;
    ws.cork(() => {
      status = ws.send(serializeFrame(message));
    });
    if (status !== 2) return true;
    log.warning('agent socket send buffer full; closing once it drains', {
      code: 'AC_ERR_BACKPRESSURE', agent_id: data.agentId, max_backpressure: agentMaxBackpressureBytes, message_type: message.type,
    });
    // A close frame sent now would be dropped like the message was, and the peer would
    // see 1006. Send nothing more, and close with a reason once the buffer has room
    // (drain below), or drop the connection if it never drains.
    data.overflowTimer = setTimeout(() => {
      if (!data.closed) ws.close();
    }, overflowDrainMs);
    return false;
  }

  function reply(ws: AgentWs, message: Frame): void {
    sendFrame(ws, ws.getUserData(), message);
  }

  function violation(ws: AgentWs, data: AgentSocketData, frame: Frame): void {
    reply(ws, frame);
    if (!tracker.record(data.violations)) return;
    const cooldownMs = data.agentId ? tracker.recordDisconnect(data.agentId) : 0;
    log.warning('closing agent socket after repeated validation errors', {
      code: 'AC_ERR_TOO_MANY_VIOLATIONS', agent_id: data.agentId, remote: data.remoteAddress, cooldown_ms: cooldownMs,
    });
    ws.end(1008, 'too many validation errors');
  }

  function validationFailed(messageType: string | null, errors: ValidationErrorItem[]): Frame {
    return { type: 'error', error: 'validation_failed', code: 'AC_ERR_VALIDATION', message_type: messageType, errors };
  }

  function identify(ws: AgentWs, data: AgentSocketData, message: Identify): void {
    const agentId = message.agent_id;
    const cooldownMs = tracker.cooldownRemainingMs(agentId);
    if (cooldownMs > 0) {
      const seconds = Math.ceil(cooldownMs / 1000);
      log.notice('identify refused during cooldown', { code: 'AC_ERR_IDENTIFY_COOLDOWN', agent_id: agentId, retry_in_s: seconds });
      ws.end(1008, `cooldown active: retry in ${seconds}s`);
      return;
    }
    const principal = hub.authenticate(message.token);
    if (!principal) {
      reply(ws, { type: 'error', error: 'invalid_token', code: 'AC_ERR_UNAUTHORIZED' });
      return;
    }
    // An admin token may stand in for any agent (operators, tests, the bench load client).
    if (principal.scope === 'agent' && principal.agentId !== agentId) {
      reply(ws, { type: 'error', error: 'token_agent_mismatch', code: 'AC_ERR_TOKEN_AGENT_MISMATCH' });
      return;
    }
    const link = data.link!;
    if (data.agentId && data.agentId !== agentId) hub.agentDisconnected(data.agentId, link);
    data.agentId = agentId;
    // `identified` goes out before the hub may push a task_assign to this link.
    reply(ws, { type: 'identified', agent_id: agentId });
    hub.agentConnected({
      agentId,
      name: message.name ?? agentId,
      status: message.status ?? 'connected',
      capabilities: message.capabilities ?? [],
    }, link);
  }

  async function taskFrame(ws: AgentWs, agentId: string, message: TaskReportFrame): Promise<void> {
    const taskId = message.task_id;
    switch (message.type) {
      case 'task_accepted': {
        const { generation } = message;
        const done = await hub.taskAccepted({ agentId, taskId, ...(generation !== undefined ? { generation } : {}) });
        reply(ws, done.ok ? ack(taskId, 'accepted') : reportFailed('task_accept_failed', taskId, done));
        return;
      }
      case 'task_progress': {
        const { generation } = message;
        const done = await hub.taskProgress({ agentId, taskId, ...(generation !== undefined ? { generation } : {}) });
        if (!done.ok) log.debug('task_progress refused', { code: done.code, task_id: taskId, agent_id: agentId });
        return;
      }
      case 'task_complete': {
        const { generation, result, tokens_used: tokensUsed } = message;
        const done = await hub.taskCompleted({ agentId, taskId, generation }, result ?? null, tokensUsed ?? null);
        reply(ws, done.ok ? ack(taskId, 'complete') : reportFailed('task_complete_failed', taskId, done));
        return;
      }
      case 'task_failed': {
        const { generation, error, reason } = message;
        const done = await hub.taskFailed({ agentId, taskId, generation }, error ?? reason ?? 'unknown');
        reply(ws, done.ok ? ack(taskId, done.value.outcome) : reportFailed('task_fail_failed', taskId, done));
        return;
      }
      case 'task_rejected': {
        const { generation, reason } = message;
        const done = await hub.taskRejected({ agentId, taskId, ...(generation !== undefined ? { generation } : {}) }, reason ?? 'unspecified');
        reply(ws, done.ok ? ack(taskId, 'rejected') : reportFailed('task_reject_failed', taskId, done));
        return;
      }
      case 'task_stopped': {
        const done = hub.taskStopped(agentId, taskId);
        reply(ws, done.ok ? ack(taskId, 'stopped') : reportFailed('task_stop_failed', taskId, done));
        return;
      }
      case 'task_recovering':
        reply(ws, await hub.taskRecovering(agentId, taskId));
        return;
    }
  }

  function dispatch(ws: AgentWs, data: AgentSocketData, message: AgentFrame): void {
    if (message.type === 'identify') return identify(ws, data, message);
    const agentId = data.agentId;
    if (agentId === null) {
      reply(ws, { type: 'error', error: 'not_identified', code: 'AC_ERR_NOT_IDENTIFIED' });
      return;
    }
    const { type } = message;
    const failed = (what: string) => (error: unknown) => {
      log.error(`${what} frame failed`, { code: 'AC_ERR_INTERNAL', agent_id: agentId, message_type: type, error: String(error) });
      reply(ws, { type: 'error', error: 'internal_error', code: 'AC_ERR_INTERNAL', message_type: type });
    };
    switch (message.type) {
      case 'ping':
        return reply(ws, { type: 'pong', timestamp: Date.now() });
      case 'status':
        hub.setAgentStatus(agentId, message.status);
        return reply(ws, { type: 'status_updated', status: message.status });
      case 'list_agents':
        return reply(ws, { type: 'agents', agents: connected(hub.listAgents()).map(agentInfo) });
      case 'task_accepted':
      case 'task_progress':
      case 'task_complete':
      case 'task_failed':
      case 'task_rejected':
      case 'task_recovering':
      case 'task_stopped':
        taskFrame(ws, agentId, message).catch(failed('task'));
        return;
      case 'message':
      case 'list_channels':
      case 'channel_subscribe':
      case 'channel_unsubscribe':
      case 'channel_publish':
      case 'channel_history':
        messagingFrame(hub.messaging, agentId, message).then((answer) => reply(ws, answer), failed('messaging'));
        return;
      default:
        // Recognised reports of later sidecars, with no behaviour here.
        log.debug('ignored sidecar report', { agent_id: agentId, message_type: type });
    }
  }

  return {
    maxPayloadLength: deps.maxPayloadBytes,
    idleTimeout: agentIdleTimeoutSeconds,
    sendPingsAutomatically: true,
    maxBackpressure: agentMaxBackpressureBytes,

    upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t) {
      const data: AgentSocketData = {
        linkId: nextLinkId++,
        remoteAddress: Buffer.from(res.getRemoteAddressAsText()).toString(),
        agentId: null,
        violations: tracker.newSocket(),
        closed: false,
        overflowTimer: null,
        link: null,
      };
      res.upgrade(
        data,
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },

    open(ws) {
      const data = ws.getUserData();
      data.link = makeLink(ws, data);
      sockets.add(ws);
      deps.fanout.track(data.linkId, ws);
    },

    message(ws, buffer, isBinary) {
      const data = ws.getUserData();
      if (data.agentId) hub.agentSeen(data.agentId);
      if (isBinary) {
        return violation(ws, data, validationFailed(null, [{
          field: 'message', error: 'wrong_type', detail: 'binary frames are not accepted; send JSON text frames',
        }]));
      }
      let raw: unknown;
      try {
        // toString copies out of the ArrayBuffer, which uWS neuters when we return.
        raw = JSON.parse(Buffer.from(buffer).toString('utf8'));
      } catch {
        return violation(ws, data, { type: 'error', error: 'invalid_json', code: 'AC_ERR_INVALID_JSON' });
      }
      const frame = validator.agentFrame(raw);
      if (!frame.ok) return violation(ws, data, validationFailed(frame.messageType, frame.errors));
      dispatch(ws, data, frame.message);
    },

    drain(ws) {
      const data = ws.getUserData();
      if (data.overflowTimer && ws.getBufferedAmount() < agentMaxBackpressureBytes / 2) ws.end(backpressureCloseCode, 'backpressure');
      else if (data.agentId && !data.overflowTimer) hub.messaging.socketDrained(data.agentId);
    },

    pong(ws) {
      const { agentId } = ws.getUserData();
      if (agentId) hub.agentSeen(agentId);
    },

    close(ws, code, message) {
      const data = ws.getUserData();
      data.closed = true;
      if (data.overflowTimer) clearTimeout(data.overflowTimer);
      sockets.delete(ws);
      deps.fanout.untrack(data.linkId);
      const reason = Buffer.from(message).toString();
      log.info('agent socket closed', { agent_id: data.agentId, close_code: code, reason, remote: data.remoteAddress });
      if (data.agentId && data.link) hub.agentDisconnected(data.agentId, data.link);
    },
  };
}

function ack(taskId: string, status: TaskAck['status']): TaskAck {
  return { type: 'task_ack', task_id: taskId, status };
}

/** The reference's `<kind>: stale_generation|invalid_state|not_found`; a report from a non-assignee is stale. */
function reportFailed(kind: string, taskId: string, failure: Failure): Frame {
  return { type: 'error', error: `${kind}: ${failureReason(failure.code)}`, code: failure.code, task_id: taskId, detail: failure.detail };
}

function failureReason(code: ErrorCode): string {
  switch (code) {
    case 'AC_ERR_STALE_GENERATION':
    case 'AC_ERR_NOT_ASSIGNEE':
      return 'stale_generation';
    case 'AC_ERR_INVALID_STATE':
      return 'invalid_state';
    case 'AC_ERR_TASK_NOT_FOUND':
      return 'not_found';
    default:
      return 'internal_error';
  }
}
