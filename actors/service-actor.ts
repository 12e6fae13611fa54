// Turns an async resource (storage, the web server, a sweep) into a child a
// supervisor machine can start, restart and stop. It follows the child
// contract in machines/supervisor-machine.ts.
import { fromCallback } from 'xstate';
import type { SupervisorEvent } from '../machines/supervisor-machine.ts';

export interface ServiceStartContext<TInput> {
  name: string;
  input: TInput;
  // Report that the running service broke; its supervisor decides what next.
  crash(error: unknown): void;
}

export interface ServiceHooks<THandle, TInput> {
  start(ctx: ServiceStartContext<TInput>): Promise<THandle>;
  stop(handle: THandle): Promise<void>;
}

type ServicePhase = 'starting' | 'running' | 'crashed' | 'stopping';

type ChildReport = Extract<SupervisorEvent, { type: 'child.ready' | 'child.crashed' | 'child.stopped' }>;

export function serviceActor<THandle, TInput = unknown>(name: string, hooks: ServiceHooks<THandle, TInput>) {
  return fromCallback<{ type: 'child.stop' }, TInput>(({ input, self, sendBack, receive }) => {
    const report = (event: ChildReport) => sendBack(event);
    let phase: ServicePhase = 'starting';

    const crash = (error: unknown) => {
      if (phase !== 'starting' && phase !== 'running') return;
      phase = 'crashed';
      report({ type: 'child.crashed', id: self.id, error });
    };

    // Settles with the handle, or with nothing when start failed.
    const started: Promise<{ handle: THandle } | null> = hooks.start({ name, input, crash }).then(
      (handle) => {
        if (phase === 'starting') {
          phase = 'running';
          report({ type: 'child.ready', id: self.id });
        }
        return { handle };
      },
      (error: unknown) => {
        crash(error);
        return null;
      },
    );

    // At most one stop per start, whether asked for or forced.
    let stopping: Promise<void> | null = null;
    const stopOnce = () => {
      phase = 'stopping';
      stopping ??= started.then((outcome) => (outcome ? hooks.stop(outcome.handle) : undefined));
      return stopping;
    };

    receive((event) => {
      if (event.type !== 'child.stop' || stopping) return;
      stopOnce().then(
        () => report({ type: 'child.stopped', id: self.id }),
        // The service is gone either way; the supervisor moves on, the error rides along.
        (error: unknown) => report({ type: 'child.stopped', id: self.id, error }),
      );
    });

    // Stopped without the handshake (stop timeout, or the parent went away):
    // still release the resource, but nobody is left to hear about it.
    return () => {
      if (!stopping) stopOnce().catch(() => {});
    };
  });
}
