// Channel names as the reference normalises them. A leaf: imports nothing.

export const maxChannelNameChars = 64;

/** Strips one leading `#`, lowercases, drops every character outside [a-z0-9-_]. May return "". */
export function normaliseChannel(name: string): string {
  return name.replace(/^#/, '').toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

/** The uWS topic a channel's messages are published on. */
export const channelTopic = (channel: string): string => `channel:${channel}`;
