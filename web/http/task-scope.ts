// Which tasks a token may cancel or retry out of the dead letters: an agent token only
// the tasks its agent submitted or holds; an admin token any (our addition: the
// reference let any token act on any task, quirk 10).
import type { HubPort, Principal } from '../hub-port.ts';
import { fail } from '../../storage/domain/errors.ts';
import { failureReply, type Reply } from './reply.ts';

export function taskScopeRefusal(hub: HubPort, principal: Principal | null, taskId: string): Reply | null {
  if (!principal || principal.scope === 'admin') return null;
  const task = hub.getTask(taskId);
  // An unknown task is answered by the action itself (404), the same for every caller.
  if (!task) return null;
  if (task.submitted_by === principal.agentId || task.assigned_to === principal.agentId) return null;
  return failureReply(fail('AC_ERR_TASK_SCOPE', taskId, principal.agentId), { task_id: taskId });
}
