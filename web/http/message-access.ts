// Which agent an HTTP messaging call acts for: an agent token acts for its own id
// only; an admin token may name any agent.
import type { Principal } from '../ports/access-port.ts';
import { errorReply, type Reply } from './reply.ts';

/** The agent id the call may act for, or the refusal. `named` is the id in the path or body, if any. */
export function actingAgent(principal: Principal | null, named: string | undefined): { agentId: string } | Reply {
  if (principal?.scope === 'agent') {
    if (named !== undefined && named !== principal.agentId) return notOwn(principal.agentId, named);
    return { agentId: principal.agentId };
  }
  if (named === undefined) return errorReply('AC_ERR_VALIDATION', { errors: [{ field: 'agent_id', error: 'required', detail: 'an admin must name the agent' }] });
  return { agentId: named };
}

/** 403 with the reference's plain `forbidden`, naming who asked for whose mailbox. */
function notOwn(caller: string, target: string): Reply {
  return errorReply('AC_ERR_NOT_OWN_MAILBOX', { error: 'forbidden', detail: `agent ${caller} may not act for ${target}` });
}

/** Text digits (already schema-checked) to a number, with a default and a ceiling. */
export function pageNumber(text: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  return text === undefined ? fallback : Math.min(Number(text), max);
}
