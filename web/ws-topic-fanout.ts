// TopicFanout on uWS pub/sub: the hub names links and topics, this maps links to
// their sockets. A publish is serialised once and fanned out by uWS in C++.
//
// A socket's own publish skips that socket, but only works when it is subscribed to
// the topic; otherwise the app publishes, which cannot reach the sender either. (Its
// return value is no guide: it is also false when the sender is the only subscriber.)
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { AnyAgentLink } from '../storage/domain/agent-link.ts';
import type { TopicFanout } from './ports/messaging-port.ts';
import { serializeFrame } from './frame-serializer.ts';

interface Closable {
  closed: boolean;
}

export interface WsTopicFanout extends TopicFanout {
  track(linkId: number, ws: WebSocket<Closable>): void;
  untrack(linkId: number): void;
}

export function wsTopicFanout(app: TemplatedApp): WsTopicFanout {
  const byLink = new Map<number, WebSocket<Closable>>();
  // A socket that closed keeps its entry until its close handler runs; uWS throws on any use of it.
  const open = (link: AnyAgentLink | null) => {
    const ws = link ? byLink.get(link.linkId) : undefined;
    return ws && !ws.getUserData().closed ? ws : undefined;
  };

  return {
    track: (linkId, ws) => void byLink.set(linkId, ws),
    untrack: (linkId) => void byLink.delete(linkId),
    subscribe(link, topic) {
      open(link)?.subscribe(topic);
    },
    unsubscribe(link, topic) {
      open(link)?.unsubscribe(topic);
    },
    publish(topic, frame, from) {
      const text = serializeFrame(frame);
      const sender = open(from);
      if (sender?.isSubscribed(topic)) sender.cork(() => sender.publish(topic, text));
      else app.publish(topic, text);
    },
  };
}
