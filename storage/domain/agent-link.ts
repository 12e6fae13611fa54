// One open agent socket as the hub sees it: web/ makes them, the agent actors hold them.

export interface AgentLink {
  /** Unique per socket for the life of the process; a reconnect gets a new one. */
  readonly linkId: number;
  /** Sends one message as a JSON text frame; false when the socket is gone or the frame was dropped. */
  send(message: Record<string, unknown>): boolean;
  /**
   * Sends one message now, with whatever this turn already queued for the socket, instead of at
   * the end of the turn: for a frame whose latency is the point (task_assign). Absent: `send`.
   */
  sendAtOnce?(message: Record<string, unknown>): boolean;
  /** Closes the socket with a WebSocket close code. */
  close(code: number, reason: string): void;
  /** Bytes queued on the socket and not yet written; absent on links without a socket. */
  bufferedBytes?(): number;
}
