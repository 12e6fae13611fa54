// One WebSocket to the hub: identify on open, heartbeat pings, reconnect with backoff.
import { WebSocket } from 'ws';
import { backoffResetAfterMs, reconnectBackoff } from './reconnect-backoff.ts';
import { parseHubMessage, type HubMessage } from './hub-messages.ts';
import { insecureWarning, isUntrustedCertificate, untrustedFailure, type HubTrust } from './hub-trust.ts';
import type { SidecarLogger } from './sidecar-logger.ts';
import { wsTierOf } from '../web/protocol/rate-limit-tiers.ts';

const protocolVersion = 1;
/** Frames remembered for a resend after `rate_limited` (the hub dropped one of them). */
const recentFramesKept = 8;

interface HeldFrame {
  type: string;
  frame: string;
  requestId?: string;
  resolve: (outcome: SendOutcome) => void;
}

export interface HubConnectionOptions {
  hubUrl: string;
  /** Hubs of one cluster in failover order (hubUrl first); a lost or refused connection moves to the next. */
  hubUrls?: string[];
  agentId: string;
  token: string;
  name: string;
  capabilities: string[];
  heartbeatIntervalMs: number;
  pongTimeoutMs: number;
  log: SidecarLogger;
  onIdentified: () => void;
  onMessage: (message: HubMessage) => void;
  random?: () => number;
  /** How the hub's certificate is checked on wss; default: Node's public roots. */
  trust?: HubTrust;
}

export type SendOutcome = 'sent' | 'not_connected' | 'write_failed';

export type ConnectionState = 'connecting' | 'open' | 'identified' | 'waiting_to_reconnect' | 'closed';

export class HubConnection {
  private socket: WebSocket | null = null;
  private state: ConnectionState = 'closed';
  private failedAttempts = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** After `rate_limited`, frames wait until this time (retry_after_ms) and then go in order. */
  private holdUntil = 0;
  private held: HeldFrame[] = [];
  private holdTimer: NodeJS.Timeout | null = null;
  private recent: Array<{ type: string; frame: string; requestId?: string }> = [];
  private hubIndex = 0;

  constructor(private readonly options: HubConnectionOptions) {}

  get connectionState(): ConnectionState {
    return this.state;
  }

  isIdentified(): boolean {
    return this.state === 'identified';
  }

  start(): void {
    if (this.state !== 'closed') return;
    this.connect();
  }

  /**
   * Sends one message with `protocol_version` added. `not_connected` means
   * nothing left this process; `write_failed` means ws took the frame but the
   * write errored, so the hub may or may not have it.
   */
  send(message: Record<string, unknown>): Promise<SendOutcome> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve('not_connected');
    const type = String(message.type);
    const frame = JSON.stringify({ ...message, protocol_version: protocolVersion });
    const requestId = typeof message.request_id === 'string' ? message.request_id : undefined;
    // Heartbeats skip the hold: one ping per interval never counts as ignoring retry_after.
    if (type !== 'ping' && Date.now() < this.holdUntil) {
      return new Promise((resolve) => this.held.push({ type, frame, requestId, resolve }));
    }
    return this.write(type, frame, requestId);
  }

  private write(type: string, frame: string, requestId?: string): Promise<SendOutcome> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve('not_connected');
    if (type !== 'ping' && type !== 'identify') {
      this.recent.push({ type, frame, requestId });
      if (this.recent.length > recentFramesKept) this.recent.shift();
    }
    return new Promise((resolve) => {
      socket.send(frame, (error) => {
        if (error) this.options.log.warn('send failed', { type, error: error.message });
        resolve(error ? 'write_failed' : 'sent');
      });
    });
  }

  /**
   * The hub dropped a frame for its rate limit (reference §8). Hold every send until
   * retry_after_ms has passed, then resend the dropped frame ahead of what waited: the one
   * the refusal names (its type and request_id), or from an older hub, which names none,
   * the newest frame of the denied tier (the hub answers in order, so it is the one dropped).
   */
  private rateLimited(retryAfterMs: number, tier: string, named: { frame?: string; requestId?: string }): void {
    this.holdUntil = Date.now() + retryAfterMs;
    const isDropped = (sent: { type: string; requestId?: string }) => (named.frame === undefined
      ? wsTierOf(sent.type) === tier
      : sent.type === named.frame && (named.requestId === undefined || sent.requestId === named.requestId));
    let index = this.recent.length - 1;
    while (index >= 0 && !isDropped(this.recent[index]!)) index--;
    if (index >= 0) {
      const [dropped] = this.recent.splice(index, 1);
      this.held.unshift({ ...dropped!, resolve: () => {} });
    }
    this.options.log.warn('rate limited by the hub; holding sends', { retry_after_ms: retryAfterMs, tier, held: this.held.length });
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      const held = this.held.splice(0);
      for (const { type, frame, requestId, resolve } of held) void this.write(type, frame, requestId).then(resolve);
    }, retryAfterMs);
  }

  /** Closes with 1000 and stops reconnecting; resolves when the socket is closed. */
  async close(): Promise<void> {
    this.state = 'closed';
    this.clearTimers();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const forceTimer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2_000);
      socket.once('close', () => {
        clearTimeout(forceTimer);
        resolve();
      });
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, 'sidecar stopping');
    });
  }

  /** The hub this connection tries now. */
  get hubUrl(): string {
    return this.options.hubUrls?.[this.hubIndex] ?? this.options.hubUrl;
  }

  private connect(): void {
    const { log } = this.options;
    this.state = 'connecting';
    const hubUrl = this.hubUrl;
    log.info('connecting', { hub_url: hubUrl });
    const trust = this.options.trust;
    if (trust?.insecure && hubUrl.startsWith('wss:')) log.warn(insecureWarning, { hub_url: hubUrl });
    const socket = new WebSocket(hubUrl, {
      handshakeTimeout: this.options.pongTimeoutMs,
      ca: trust?.ca,
      rejectUnauthorized: trust?.rejectUnauthorized ?? true,
    });
    this.socket = socket;

    socket.on('open', () => {
      this.state = 'open';
      // Reset the backoff only once the link has proved itself, so a hub that
      // accepts and drops at once is not hammered every second.
      this.stableTimer = setTimeout(() => {
        this.failedAttempts = 0;
      }, backoffResetAfterMs);
      this.startHeartbeat();
      void this.send({
        type: 'identify',
        agent_id: this.options.agentId,
        token: this.options.token,
        name: this.options.name,
        capabilities: this.options.capabilities,
        client_type: 'sidecar',
      });
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.handleFrame(data.toString());
    });
    socket.on('error', (error) => {
      if (!isUntrustedCertificate(error)) return log.warn('socket error', { error: error.message });
      // Retried with backoff like any failed connect: the operator may be fixing ca_file or the hub's certificate.
      const refused = untrustedFailure(hubUrl, error);
      log.error('hub certificate refused', { code: refused.code, error: refused.detail });
    });
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (this.state === 'closed') return;
      this.scheduleReconnect(code, reason.toString());
    });
  }

  private handleFrame(text: string): void {
    const parsed = parseHubMessage(text);
    if (parsed.kind === 'ignored') {
      this.options.log.debug('ignored hub message', { type: parsed.type });
      return;
    }
    if (parsed.kind === 'invalid') {
      this.options.log.warn('invalid hub message dropped', { type: parsed.type, detail: parsed.detail });
      return;
    }
    const message = parsed.message;
    if (message.type === 'pong') {
      if (this.pongTimer) clearTimeout(this.pongTimer);
      this.pongTimer = null;
      return;
    }
    if (message.type === 'rate_limited') {
      this.rateLimited(message.retry_after_ms || 1000, message.tier, {
        ...(message.frame !== undefined ? { frame: message.frame } : {}),
        ...(message.request_id !== undefined ? { requestId: message.request_id } : {}),
      });
      return;
    }
    if (message.type === 'identified') {
      this.state = 'identified';
      this.failedAttempts = 0;
      this.options.log.info('identified');
      this.options.onIdentified();
      return;
    }
    this.options.onMessage(message);
  }

  private startHeartbeat(): void {
    this.heartbeatTimer = setInterval(() => {
      void this.send({ type: 'ping' });
      if (this.pongTimer) return;
      this.pongTimer = setTimeout(() => {
        this.options.log.warn('no pong in time; reconnecting', { pong_timeout_ms: this.options.pongTimeoutMs });
        this.socket?.terminate();
      }, this.options.pongTimeoutMs);
    }, this.options.heartbeatIntervalMs);
  }

  private scheduleReconnect(code: number, reason: string): void {
    // With several hubs, the next attempt goes to the next one: a dead hub is left at once.
    const hubs = this.options.hubUrls?.length ?? 1;
    if (hubs > 1) this.hubIndex = (this.hubIndex + 1) % hubs;
    // A first try at each other hub waits no backoff; a full round of failures backs off as one hub would.
    const delayMs = hubs > 1 && this.hubIndex !== 0 ? 0 : reconnectBackoff(this.failedAttempts, this.options.random);
    this.failedAttempts += 1;
    this.state = 'waiting_to_reconnect';
    this.options.log.warn('disconnected', { close_code: code, close_reason: reason, reconnect_in_ms: delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state === 'waiting_to_reconnect') this.connect();
    }, delayMs);
  }

  private clearTimers(): void {
    for (const timer of [this.heartbeatTimer, this.pongTimer, this.stableTimer, this.holdTimer]) if (timer) clearTimeout(timer);
    this.holdTimer = null;
    this.holdUntil = 0;
    for (const { resolve } of this.held.splice(0)) resolve('not_connected');
    this.recent = [];
    this.heartbeatTimer = null;
    this.pongTimer = null;
    this.stableTimer = null;
  }
}
