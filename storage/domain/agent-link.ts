// One open agent socket as the hub sees it: web/ makes them, the agent actors hold them.
//
// `Frame` is what may be sent on it. The domain cannot name the wire's frames (they are the
// static types of web/protocol's schemas, outside it), so whoever holds links says which frames
// it sends: the task dispatch a TaskAssignment, the hub every outbound agent frame. `Frame` is an
// input (`in`): a link that may send every outbound frame serves where one that sends only
// task_assign is asked for, and the compiler accepts that only if task_assign is among them.

export interface AgentLink<in Frame extends { type: string }> {
  /** Unique per socket for the life of the process; a reconnect gets a new one. */
  readonly linkId: number;
  /** Sends one frame as a JSON text frame; false when the socket is gone or the frame was dropped. */
  readonly send: (frame: Frame) => boolean;
  /**
   * Sends one frame now, with whatever this turn already queued for the socket, instead of at
   * the end of the turn: for a frame whose latency is the point (task_assign). Absent: `send`.
   */
  readonly sendAtOnce?: (frame: Frame) => boolean;
  /** Closes the socket with a WebSocket close code. */
  close(code: number, reason: string): void;
  /** Bytes queued on the socket and not yet written; absent on links without a socket. */
  bufferedBytes?(): number;
}

/** Any link, as code that only names, compares or closes it sees it: it may send nothing. */
export type AnyAgentLink = AgentLink<never>;
