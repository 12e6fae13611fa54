// The /ws/dashboard socket: authenticates with a first `auth` frame (the token stays out
// of URLs and logs), hands frames to the page and reconnects by itself with backoff.
// Every (re)connect starts from the snapshot the hub pushes after auth.
import type { Alert, DashboardSnapshot, HubEvent } from './types.ts';

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export interface FeedHandlers {
  snapshot(data: DashboardSnapshot, alerts: Alert[] | undefined): void;
  events(events: HubEvent[]): void;
  reply(frame: Record<string, unknown>): void;
  state(state: FeedState, detail?: string): void;
  /** Bytes of every frame, for the page's own counters. */
  frame?(bytes: number): void;
}

const firstRetryMs = 250;
const maxRetryMs = 5_000;

export class DashboardFeed {
  private socket: WebSocket | null = null;
  private retryMs = firstRetryMs;
  private retryTimer: number | undefined;
  private stopped = false;
  private everLive = false;

  constructor(private readonly token: () => string | null, private readonly handlers: FeedHandlers) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'page closed the feed');
    this.socket = null;
  }

  /** Sends a client frame; false when the socket is not open. */
  send(frame: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/ws/dashboard`);
    this.socket = socket;
    this.handlers.state(this.everLive ? 'reconnecting' : 'connecting');
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: 'auth', token: this.token() ?? '' }));
    };
    socket.onmessage = (message: MessageEvent<string>) => {
      this.handlers.frame?.(message.data.length);
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(message.data) as Record<string, unknown>;
      } catch {
        return;
      }
      if (frame.type === 'snapshot') {
        this.retryMs = firstRetryMs;
        this.everLive = true;
        this.handlers.state('live');
        this.handlers.snapshot(frame.data as DashboardSnapshot, frame.alerts as Alert[] | undefined);
      } else if (frame.type === 'events') {
        this.handlers.events(frame.data as HubEvent[]);
      } else {
        this.handlers.reply(frame);
      }
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      // 1008: the hub refused the token; retrying with the same one cannot help.
      if (event.code === 1008) {
        this.handlers.state('unauthorized', event.reason);
        return;
      }
      this.handlers.state(this.everLive ? 'reconnecting' : 'connecting');
      const jitter = 0.75 + Math.random() * 0.5;
      this.retryTimer = window.setTimeout(() => this.connect(), this.retryMs * jitter);
      this.retryMs = Math.min(maxRetryMs, this.retryMs * 2);
    };
  }
}
