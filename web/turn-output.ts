// Frames written to a socket during one event-loop turn leave together: one corked
// write (one syscall) per socket per turn instead of one per frame.
//
// A hub flow that resolves after a durable commit answers every report of the batch in
// the same turn, outside any uWS handler, so uWS would write each frame at once; an
// agent that sent task_accepted and task_complete together got two writes for the two
// task_acks of one commit. Queued text is written at setImmediate, after the turn's
// promise continuations have all run.

interface Queued {
  /** Text waiting for this turn's write, in send order. */
  pending: string[];
  pendingBytes: number;
}

export class TurnOutput<S, D extends Queued> {
  private readonly sockets: S[] = [];
  private readonly data: D[] = [];
  private scheduled = false;

  /** `write` sends a socket's pending frames, corked; it is not called for a socket queued nothing. */
  constructor(private readonly write: (socket: S, data: D) => void) {}

  /** Queues text for the end of the turn. */
  queue(socket: S, data: D, text: string): void {
    if (data.pending.length === 0) {
      this.sockets.push(socket);
      this.data.push(data);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.writeAll);
      }
    }
    data.pending.push(text);
    data.pendingBytes += text.length;
  }

  /** Writes one socket's frames now: before it is ended, so what was queued goes out before the close frame. */
  flush(socket: S, data: D): void {
    if (data.pending.length > 0) this.write(socket, data);
    clear(data);
  }

  private readonly writeAll = (): void => {
    this.scheduled = false;
    const sockets = this.sockets.splice(0);
    const data = this.data.splice(0);
    for (let i = 0; i < sockets.length; i++) {
      const queued = data[i]!;
      // Already flushed (the socket was ended) or dropped: nothing left to write.
      if (queued.pending.length > 0) this.write(sockets[i]!, queued);
      clear(queued);
    }
  };
}

function clear(data: Queued): void {
  data.pending.length = 0;
  data.pendingBytes = 0;
}
