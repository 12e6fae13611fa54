// Frames that sidecars newer than v1.1 send. We accept them so they never count
// as violations (ten would disconnect such a sidecar) and ignore their content.
import { wsMessage } from './ws-message.ts';

export const resourceReportSchema = wsMessage('resource_report', {});
export const stateReportSchema = wsMessage('state_report', {});
export const wakeResultSchema = wsMessage('wake_result', {});
export const agentRestartingSchema = wsMessage('agent_restarting', {});

export const ignoredSidecarSchemas = [resourceReportSchema, stateReportSchema, wakeResultSchema, agentRestartingSchema];
