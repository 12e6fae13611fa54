// Who an agent said it is when it identified (or what the directory remembers of it).

export interface AgentIdentity {
  agentId: string;
  name: string;
  status: string;
  capabilities: string[];
  /** Ours: the model provider the agent runs on (identify `provider`), for provider_limits. */
  provider?: string;
}
