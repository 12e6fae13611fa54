// A WebSocket test client (the `ws` package) that buffers every frame, so a test
// can wait for the next message of a type without racing the socket.
import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { type: string };

export interface CloseInfo {
  code: number;
  reason: string;
}

export class WsTestClient {
  private readonly inbox: Frame[] = [];
  private waiters: Array<{ type: string | undefined; resolve: (frame: Frame) => void; reject: (error: Error) => void }> = [];
  readonly closed: Promise<CloseInfo>;
  private closeInfo: CloseInfo | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.deliver(JSON.parse(data.toString()) as Frame);
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        // Nothing more will arrive: fail the waiters now rather than at their timeouts.
        for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`socket closed (${code}) while waiting for ${waiter.type ?? 'a message'}`));
      });
    });
  }

  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      const client = new WsTestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    });
  }

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  /** The first buffered or future frame of `type` (any type when omitted); earlier frames of other types stay buffered. */
  nextMessage(type?: string, timeoutMs = 5_000): Promise<Frame> {
    const index = this.inbox.findIndex((frame) => type === undefined || frame.type === type);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]!);
    if (this.closeInfo) return Promise.reject(new Error(`socket closed (${this.closeInfo.code}); no ${type ?? 'message'} buffered`));
    return new Promise((resolve, reject) => {
      const waiter = {
        type,
        resolve: (frame: Frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${type ?? 'message'} within ${timeoutMs} ms; buffered: ${JSON.stringify(this.inbox.map((f) => f.type))}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Sends one frame and waits for the reply of `replyType`. */
  async request(message: Record<string, unknown>, replyType: string, timeoutMs?: number): Promise<Frame> {
    const reply = this.nextMessage(replyType, timeoutMs);
    this.send(message);
    return reply;
  }

  /** Frames received and not yet taken. */
  pending(): Frame[] {
    return [...this.inbox];
  }

  close(): Promise<CloseInfo> {
    if (!this.closeInfo) this.socket.close();
    return this.closed;
  }

  /** Drops the TCP connection without a close frame, as a crashed sidecar would. */
  terminate(): Promise<CloseInfo> {
    this.socket.terminate();
    return this.closed;
  }

  private deliver(frame: Frame): void {
    const waiter = this.waiters.find((w) => w.type === undefined || w.type === frame.type);
    if (waiter) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(frame);
      return;
    }
    this.inbox.push(frame);
  }
}
