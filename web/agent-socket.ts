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
import type { ErrorCode, Failure } from '../storage/domain/errors.ts';
import { messagingFrame } from './agent-messaging.ts';
import { serializeFrame } from './frame-serializer.ts';
import { agentInfo, connected, hubOf } from './http/agents.ts';
import type { AgentSocketLink } from './ports/agent-sessions-port.ts';
import type { HubServices } from './ports/hub-services.ts';
import type { TaskReportPort } from './ports/task-report-port.ts';
import type { TaskAck } from './protocol/agent-replies.ts';
import type { LeaseAcquire, LeaseRelease, LeaseResult } from './protocol/path-leases.ts';
import type { Identify } from './protocol/identify.ts';
import { answerFrameOf, type ApprovalRequest } from './protocol/approvals.ts';
import type { AgentFrame, AgentOutboundFrame, TaskReportFrame } from './protocol/index.ts';
import type { AgentRateLimited } from './protocol/agent-rate-limited.ts';
import { parseJsonInput, type JsonInput } from './json-input.ts';
import type { ValidationErrorItem, WireValidator } from './validation.ts';
import type { SocketViolations, ViolationTracker } from './violation-tracker.ts';
import { noWebTelemetry, type WebTelemetry } from './web-telemetry.ts';
import { TurnOutput } from './turn-output.ts';
import type { WsTopicFanout } from './ws-topic-fanout.ts';
import { closeCodes, clientIp, type ConnectionLimits, type IpLimits } from './connection-limits.ts';
import type { LimitCheck, LimitedSubject, RateLimiter } from './rate-limits/rate-limiter.ts';
import { wsTierOf } from './protocol/rate-limit-tiers.ts';

const agentIdleTimeoutSeconds = 60;
const agentMaxBackpressureBytes = 1024 * 1024;
/** uWS's own limit sits above ours, so the 4008 close frame still fits after our limit is hit. */
const uwsMaxBackpressureBytes = agentMaxBackpressureBytes + 64 * 1024;
/** A turn's queued output past this is written at once instead of at the end of the turn. */
const writeAtOnceBytes = 64 * 1024;
/** Past this much unread output the hub stops answering the socket's requests. */
const stallAboveBytes = agentMaxBackpressureBytes / 2;

export interface AgentSocketData {
  linkId: number;
  remoteAddress: string;
  agentId: string | null;
  /** The peer, or the first X-Forwarded-For hop with trust_proxy. */
  clientIp: string;
  violations: SocketViolations;
  closed: boolean;
  /** Set when a send overflowed: nothing more is sent, and the socket is closing with 4008. */
  overflowed: boolean;
  link: AgentSocketLink | null;
  /** Whose buckets this socket spends: its IP's before identify, then its agent's (an exempt one for admins). */
  limits: LimitedSubject;
  identifiedOnce: boolean;
  identifyTimer: NodeJS.Timeout | null;
  /** Frames handed to the hub and not yet answered. */
  inflight: number;
  /** Closes a socket whose unread output does not drain in time. */
  graceTimer: NodeJS.Timeout | null;
  /** Frames of this event-loop turn, written together at its end (web/turn-output.ts). */
  pending: string[];
  pendingBytes: number;
}

export interface AgentSocketDeps {
  /** The roles an agent's socket talks to. */
  hub: Pick<HubServices, 'access' | 'sessions' | 'reports' | 'approvals' | 'fleet' | 'messaging'>;
  validator: WireValidator;
  tracker: ViolationTracker;
  logger: Logger;
  maxPayloadBytes: number;
  /** Open sockets, so the server can close them at shutdown. */
  sockets: Set<WebSocket<AgentSocketData>>;
  /** Maps links to sockets for uWS topic subscribe/publish. */
  fanout: WsTopicFanout;
  telemetry?: WebTelemetry;
  limiter: RateLimiter;
  limits: ConnectionLimits;
  ipLimits: IpLimits;
}

type Frame = AgentOutboundFrame;
type AgentWs = WebSocket<AgentSocketData>;

let nextLinkId = 1;

export function agentSocketBehavior(deps: AgentSocketDeps): WebSocketBehavior<AgentSocketData> {
  const { hub: { access, sessions, reports, approvals, fleet, messaging }, validator, tracker, sockets, limiter, limits, ipLimits } = deps;
  const telemetry = deps.telemetry ?? noWebTelemetry;
  const log = deps.logger.child({ module: 'web', socket: 'agent' });
  const output = new TurnOutput<AgentWs, AgentSocketData>(writePending);

  function makeLink(ws: AgentWs, data: AgentSocketData): AgentSocketLink {
    return {
      linkId: data.linkId,
      send: (frame) => sendFrame(ws, data, frame),
      sendAtOnce: (frame) => {
        const queued = sendFrame(ws, data, frame);
        if (queued) output.flush(ws, data);
        return queued;
      },
      // Deferred: the hub calls this from inside its own flows, and closing runs our
      // close handler (which calls back into the hub) synchronously.
      close: (code, reason) => queueMicrotask(() => end(ws, data, code, reason)),
      bufferedBytes: () => (data.closed ? 0 : ws.getBufferedAmount() + data.pendingBytes),
    };
  }

  /** Queues the frame for this turn's write; false when the socket is gone or its output is full. */
  function sendFrame(ws: AgentWs, data: AgentSocketData, frame: Frame): boolean {
    if (data.closed || data.overflowed) return false;
    const text = serializeFrame(frame);
    if (ws.getBufferedAmount() + data.pendingBytes + text.length > agentMaxBackpressureBytes) {
      overflow(ws, data, frame.type);
      return false;
    }
    output.queue(ws, data, text);
    // A large burst (a mailbox pushed at identify) goes out as it grows, so uWS's own buffer
    // and its drain event, which the mailbox push paces itself by, see it.
    if (data.pendingBytes >= writeAtOnceBytes) output.flush(ws, data);
    telemetry.frameSent('agent', frame.type);
    return true;
  }

  /** One corked write of the turn's frames. */
  function writePending(ws: AgentWs, data: AgentSocketData): void {
    if (data.closed) return;
    let dropped = false;
    ws.cork(() => {
      for (const text of data.pending) {
        if (ws.send(text) === 2) {
          dropped = true;
          return;
        }
      }
    });
    if (dropped) overflow(ws, data, 'batch');
  }

  /** Ends the socket after writing what this turn queued for it. */
  function end(ws: AgentWs, data: AgentSocketData, code: number, reason: string): void {
    if (data.closed) return;
    output.flush(ws, data);
    ws.end(code, reason);
  }

  function overflow(ws: AgentWs, data: AgentSocketData, messageType: unknown): void {
    data.overflowed = true;
    log.warning('agent socket send buffer full; closing', {
      code: 'AC_ERR_BACKPRESSURE', agent_id: data.agentId, max_backpressure: agentMaxBackpressureBytes, message_type: messageType,
    });
    // The close frame fits (uWS's limit is above ours), so a peer that reads again gets
    // everything sent so far and then 4008. Deferred: a hub flow may be sending.
    queueMicrotask(() => {
      if (data.closed) return;
      telemetry.backpressureClose('agent');
      end(ws, data, closeCodes.backpressure, 'backpressure');
    });
  }

  /**
   * The client leaves its replies unread: its frames are dropped unanswered (uWS has
   * no pause for WebSockets, so dropping is how nothing piles up here), and unless the
   * buffer drains within the grace time the socket is closed with 4008.
   */
  function outputStalled(ws: AgentWs, data: AgentSocketData): void {
    if (data.graceTimer || data.closed) return;
    data.graceTimer = setTimeout(() => {
      data.graceTimer = null;
      if (data.closed || ws.getBufferedAmount() <= stallAboveBytes / 2) return;
      log.warning('agent socket leaves its replies unread; closing', {
        code: 'AC_ERR_BACKPRESSURE', agent_id: data.agentId, buffered_bytes: ws.getBufferedAmount(), grace_ms: limits.backpressureGraceMs,
      });
      telemetry.backpressureClose('agent');
      end(ws, data, closeCodes.backpressure, 'backpressure');
    }, limits.backpressureGraceMs);
  }

  /** Counts the frame's work until it settles: the in-flight bound below refuses frames past it. */
  function track(data: AgentSocketData, work: Promise<void>): void {
    data.inflight += 1;
    void work.finally(() => {
      data.inflight -= 1;
    });
  }

  /** The refusal names the dropped frame (and its request_id), so a client waiting for that frame's answer (lease_result) knows to send it again. */
  function rateLimited(ws: AgentWs, data: AgentSocketData, check: LimitCheck & { ok: false }, dropped: { type: string; request_id?: unknown }): void {
    const frame: Frame = {
      type: 'rate_limited', retry_after_ms: check.retryAfterMs, tier: check.tier, code: 'AC_ERR_RATE_LIMITED', frame: dropped.type,
      ...(typeof dropped.request_id === 'string' ? { request_id: dropped.request_id } : {}),
    };
    // A client that waits out retry_after_ms is never disconnected; one that keeps
    // sending inside it counts toward the same escalation as validation errors.
    if (check.ignoredRetry) violation(ws, data, frame, 'rate limit exceeded');
    else reply(ws, frame);
  }

  function reply(ws: AgentWs, message: Frame): void {
    sendFrame(ws, ws.getUserData(), message);
  }

  function violation(ws: AgentWs, data: AgentSocketData, frame: Frame, closeReason = 'too many validation errors'): void {
    reply(ws, frame);
    if (!tracker.record(data.violations)) return;
    const cooldownMs = data.agentId ? tracker.recordDisconnect(data.agentId) : 0;
    log.warning(`closing agent socket: ${closeReason}`, {
      code: 'AC_ERR_TOO_MANY_VIOLATIONS', agent_id: data.agentId, remote: data.remoteAddress, cooldown_ms: cooldownMs,
    });
    end(ws, data, closeCodes.rateLimited, closeReason);
  }

  function validationFailed(messageType: string | null, errors: ValidationErrorItem[]): Frame {
    return { type: 'error', error: 'validation_failed', code: 'AC_ERR_VALIDATION', message_type: messageType, errors };
  }

  async function identify(ws: AgentWs, data: AgentSocketData, message: Identify): Promise<void> {
    const agentId = message.agent_id;
    const cooldownMs = tracker.cooldownRemainingMs(agentId);
    if (cooldownMs > 0) {
      const seconds = Math.ceil(cooldownMs / 1000);
      log.notice('identify refused during cooldown', { code: 'AC_ERR_IDENTIFY_COOLDOWN', agent_id: agentId, retry_in_s: seconds });
      end(ws, data, 1008, `cooldown active: retry in ${seconds}s`);
      return;
    }
    const identifyWaitMs = ipLimits.identifyRetryMs(data.clientIp);
    if (identifyWaitMs > 0) {
      reply(ws, { type: 'rate_limited', retry_after_ms: identifyWaitMs, tier: 'heavy', code: 'AC_ERR_IDENTIFY_RATE', scope: 'ip' });
      return;
    }
    // A miss is asked again of the store as it stands (a cluster's view may lag another hub's
    // registration); a hit, the common case, stays in this turn.
    const principal = access.authenticate(message.token) ?? (await access.authenticateCurrent(message.token));
    if (data.closed) return;
    if (!principal) {
      ipLimits.identifyFailed(data.clientIp);
      reply(ws, { type: 'error', error: 'invalid_token', code: 'AC_ERR_UNAUTHORIZED' });
      return;
    }
    // An admin token may stand in for any agent (operators, tests, the bench load client).
    if (principal.scope === 'agent' && principal.agentId !== agentId) {
      ipLimits.identifyFailed(data.clientIp);
      reply(ws, { type: 'error', error: 'token_agent_mismatch', code: 'AC_ERR_TOKEN_AGENT_MISMATCH' });
      return;
    }
    const link = data.link!;
    if (data.agentId && data.agentId !== agentId) sessions.agentDisconnected(data.agentId, link);
    data.agentId = agentId;
    data.identifiedOnce = true;
    if (data.identifyTimer) clearTimeout(data.identifyTimer);
    data.identifyTimer = null;
    const subject = principal.scope === 'admin' && !limits.limitAdmins
      ? limiter.subject(`admin:${principal.name}`, { exempt: true })
      : limiter.agentSubject(agentId);
    data.limits.sockets -= 1;
    subject.sockets += 1;
    data.limits = subject;
    // `identified` goes out before the hub may push a task_assign to this link.
    reply(ws, { type: 'identified', agent_id: agentId });
    sessions.agentConnected({
      agentId,
      name: message.name ?? agentId,
      status: message.status ?? 'connected',
      capabilities: message.capabilities ?? [],
      ...(message.provider !== undefined ? { provider: message.provider } : {}),
    }, link);
  }

  async function taskFrame(ws: AgentWs, agentId: string, message: TaskReportFrame): Promise<void> {
    const taskId = message.task_id;
    switch (message.type) {
      case 'task_accepted': {
        const { generation } = message;
        const done = await reports.taskAccepted({ agentId, taskId, ...(generation !== undefined ? { generation } : {}) });
        reply(ws, done.ok ? ack(taskId, 'accepted') : reportFailed('task_accept_failed', taskId, done));
        return;
      }
      case 'task_progress': {
        const { generation, progress, tokens_used: tokensUsed } = message;
        const done = await reports.taskProgress({ agentId, taskId, ...(generation !== undefined ? { generation } : {}) }, { progress, tokensUsed });
        if (!done.ok) log.debug('task_progress refused', { code: done.code, task_id: taskId, agent_id: agentId });
        return;
      }
      case 'task_complete': {
        const { generation, result, tokens_used: tokensUsed } = message;
        const done = await reports.taskCompleted({ agentId, taskId, generation }, result ?? null, tokensUsed ?? null);
        reply(ws, done.ok ? ack(taskId, 'complete') : reportFailed('task_complete_failed', taskId, done));
        return;
      }
      case 'task_failed': {
        const { generation, error, reason } = message;
        const done = await reports.taskFailed({ agentId, taskId, generation }, error ?? reason ?? 'unknown');
        reply(ws, done.ok ? ack(taskId, done.value.outcome) : reportFailed('task_fail_failed', taskId, done));
        return;
      }
      case 'task_rejected': {
        const { generation, reason } = message;
        const done = await reports.taskRejected({ agentId, taskId, ...(generation !== undefined ? { generation } : {}) }, reason ?? 'unspecified');
        reply(ws, done.ok ? ack(taskId, 'rejected') : reportFailed('task_reject_failed', taskId, done));
        return;
      }
      case 'task_stopped': {
        const done = reports.taskStopped(agentId, taskId);
        reply(ws, done.ok ? ack(taskId, 'stopped') : reportFailed('task_stop_failed', taskId, done));
        return;
      }
      case 'task_recovering':
        reply(ws, await reports.taskRecovering(agentId, taskId));
        return;
    }
  }

  /** An agent's question mid-task: acknowledged once durable; an answered one is answered again at once. */
  async function approvalRequest(ws: AgentWs, agentId: string, message: ApprovalRequest): Promise<void> {
    const asked = await approvals.askApproval(agentId, message);
    if (!asked.ok) {
      reply(ws, {
        type: 'error', error: `approval_request_failed: ${failureReason(asked.code)}`, code: asked.code, task_id: message.task_id,
        question_id: message.question_id, detail: asked.detail,
      });
      return;
    }
    const approval = asked.value;
    reply(ws, { type: 'approval_ack', task_id: approval.task_id, question_id: approval.question_id, approval_id: approval.id, status: approval.status });
    if (approval.status === 'answered') reply(ws, answerFrameOf(approval));
  }

  async function rateLimitedFrame(ws: AgentWs, agentId: string, message: AgentRateLimited): Promise<void> {
    const done = await fleet.agentRateLimited(agentId, message.task_id, message.until, message.generation);
    reply(ws, done.ok ? ack(message.task_id, 'parked') : reportFailed('agent_rate_limited_failed', message.task_id, done));
  }

  function dispatch(ws: AgentWs, data: AgentSocketData, message: AgentFrame): void {
    if (message.type === 'identify') {
      identify(ws, data, message).catch((error: unknown) => {
        log.error('identify failed', { code: 'AC_ERR_INTERNAL', message_type: 'identify', error: String(error) });
        reply(ws, { type: 'error', error: 'internal_error', code: 'AC_ERR_INTERNAL', message_type: 'identify' });
      });
      return;
    }
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
        sessions.setAgentStatus(agentId, message.status);
        return reply(ws, { type: 'status_updated', status: message.status });
      case 'list_agents':
        return reply(ws, { type: 'agents', agents: connected(sessions.listAgents()).map((view) => ({ ...agentInfo(view), ...hubOf(view) })) });
      case 'task_accepted':
      case 'task_progress':
      case 'task_complete':
      case 'task_failed':
      case 'task_rejected':
      case 'task_recovering':
      case 'task_stopped':
        track(data, taskFrame(ws, agentId, message).catch(failed('task')));
        return;
      case 'approval_request':
        track(data, approvalRequest(ws, agentId, message).catch(failed('approval')));
        return;
      case 'lease_acquire':
      case 'lease_release':
        track(data, leaseFrame(reports, agentId, message).then((answer) => reply(ws, answer), failed('lease')));
        return;
      case 'agent_rate_limited':
        track(data, rateLimitedFrame(ws, agentId, message).catch(failed('agent_rate_limited')));
        return;
      case 'message':
      case 'list_channels':
      case 'channel_subscribe':
      case 'channel_unsubscribe':
      case 'channel_publish':
      case 'channel_history':
        track(data, messagingFrame(messaging, agentId, message).then((answer) => reply(ws, answer), failed('messaging')));
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
    maxBackpressure: uwsMaxBackpressureBytes,

    upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t) {
      const remoteAddress = Buffer.from(res.getRemoteAddressAsText()).toString();
      const ip = clientIp(remoteAddress, req.getHeader('x-forwarded-for'), limits.trustProxy);
      if (!ipLimits.mayConnect(ip)) {
        log.notice('agent socket refused: too many connections from one IP', { code: 'AC_ERR_TOO_MANY_CONNECTIONS', remote: ip, limit: limits.maxConnectionsPerIp });
        res.cork(() => {
          res.writeStatus('429 Too Many Requests').writeHeader('retry-after', '10').writeHeader('content-type', 'application/json')
            .end(JSON.stringify({ error: 'too_many_connections', code: 'AC_ERR_TOO_MANY_CONNECTIONS', limit: limits.maxConnectionsPerIp }), true);
        });
        return;
      }
      const data: AgentSocketData = {
        linkId: nextLinkId++,
        remoteAddress,
        clientIp: ip,
        agentId: null,
        violations: tracker.newSocket(),
        closed: false,
        overflowed: false,
        link: null,
        limits: limiter.subject(`ip:${ip}`),
        identifiedOnce: false,
        identifyTimer: null,
        inflight: 0,
        graceTimer: null,
        pending: [],
        pendingBytes: 0,
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
      ipLimits.opened(data.clientIp);
      data.limits.sockets += 1;
      data.identifyTimer = setTimeout(() => {
        data.identifyTimer = null;
        if (data.closed || data.agentId) return;
        log.notice('closing agent socket that never identified', { code: 'AC_ERR_IDENTIFY_TIMEOUT', remote: data.clientIp, timeout_ms: limits.identifyTimeoutMs });
        end(ws, data, closeCodes.identifyTimeout, 'identify timeout');
      }, limits.identifyTimeoutMs);
      sockets.add(ws);
      deps.fanout.track(data.linkId, ws);
      telemetry.socketOpened('agent');
    },

    message(ws, buffer, isBinary) {
      const data = ws.getUserData();
      if (data.agentId) sessions.agentSeen(data.agentId);
      if (isBinary) {
        return violation(ws, data, validationFailed(null, [{
          field: 'message', error: 'wrong_type', detail: 'binary frames are not accepted; send JSON text frames',
        }]));
      }
      // Parsed before we return: uWS neuters the ArrayBuffer afterwards.
      const input = parseJsonInput(new Uint8Array(buffer));
      if (!input.ok) return violation(ws, data, jsonInputFrame(input));
      if (ws.getBufferedAmount() > stallAboveBytes) return outputStalled(ws, data);
      if (data.inflight >= limits.maxInflightFrames) {
        return violation(ws, data, { type: 'error', error: 'busy', code: 'AC_ERR_SOCKET_BUSY', inflight: data.inflight }, 'too many frames in flight');
      }
      const frame = validator.agentFrame(input.value);
      if (!frame.ok) {
        telemetry.frameReceived('agent', 'invalid');
        telemetry.validationError('agent_ws');
        return violation(ws, data, validationFailed(frame.messageType, frame.errors));
      }
      telemetry.frameReceived('agent', frame.message.type);
      // A socket's first identify is free (reference §1); everything else spends a token.
      if (frame.type !== 'identify' || data.identifiedOnce) {
        const check = limiter.check(data.limits, 'ws', wsTierOf(frame.type));
        if (!check.ok) return rateLimited(ws, data, check, frame.message);
        if (check.warning) reply(ws, { type: 'rate_limit_warning', ...check.warning });
      }
      dispatch(ws, data, frame.message);
    },

    drain(ws) {
      const data = ws.getUserData();
      if (data.overflowed) return;
      if (data.graceTimer && ws.getBufferedAmount() <= stallAboveBytes / 2) {
        clearTimeout(data.graceTimer);
        data.graceTimer = null;
      }
      if (data.agentId) messaging.socketDrained(data.agentId);
    },

    pong(ws) {
      const { agentId } = ws.getUserData();
      if (agentId) sessions.agentSeen(agentId);
    },

    close(ws, code, message) {
      const data = ws.getUserData();
      data.closed = true;
      if (data.identifyTimer) clearTimeout(data.identifyTimer);
      if (data.graceTimer) clearTimeout(data.graceTimer);
      ipLimits.closed(data.clientIp);
      data.limits.sockets -= 1;
      sockets.delete(ws);
      deps.fanout.untrack(data.linkId);
      telemetry.socketClosed('agent');
      const reason = Buffer.from(message).toString();
      log.info('agent socket closed', { agent_id: data.agentId, close_code: code, reason, remote: data.remoteAddress });
      if (data.agentId && data.link) sessions.agentDisconnected(data.agentId, data.link);
    },
  };
}

/** lease_acquire and lease_release, each answered by one lease_result frame. */
async function leaseFrame(reports: TaskReportPort, agentId: string, message: LeaseAcquire | LeaseRelease): Promise<LeaseResult> {
  const requestId = message.request_id !== undefined ? { request_id: message.request_id } : {};
  if (message.type === 'lease_acquire') {
    const acquired = await reports.leaseAcquire(agentId, message);
    if (!acquired.ok) return { type: 'lease_result', result: 'error', ...requestId, code: acquired.code, detail: acquired.detail };
    return 'granted' in acquired.value
      ? { type: 'lease_result', result: 'granted', ...requestId, lease: acquired.value.granted }
      : { type: 'lease_result', result: 'denied', ...requestId, holder: acquired.value.denied };
  }
  const released = await reports.leaseRelease(agentId, message.lease_id);
  if (!released.ok) return { type: 'lease_result', result: 'error', ...requestId, code: released.code, detail: released.detail };
  return { type: 'lease_result', result: 'released', ...requestId, lease: released.value };
}

function jsonInputFrame(input: JsonInput & { ok: false }): Frame {
  switch (input.problem) {
    case 'invalid_json':
      return { type: 'error', error: 'invalid_json', code: 'AC_ERR_INVALID_JSON' };
    case 'too_deep':
      return { type: 'error', error: 'invalid_json', code: 'AC_ERR_JSON_TOO_DEEP', max_depth: input.maxDepth };
    case 'invalid_unicode':
      return { type: 'error', error: 'validation_failed', code: 'AC_ERR_VALIDATION', message_type: null, errors: input.errors };
  }
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
    case 'AC_ERR_STORAGE_FULL':
      return 'storage_full';
    default:
      return 'internal_error';
  }
}
