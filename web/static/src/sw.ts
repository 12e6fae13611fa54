// The dashboard's service worker. It keeps a copy of the page's shell (network first, so a
// new build always wins) so a reload during a hub restart still shows the page and its
// "reconnecting" banner, and it focuses the dashboard when a notification is clicked.
// The API and the feed always go to the network.

interface ExtendableEvent extends Event { waitUntil(promise: Promise<unknown>): void }
interface FetchEvent extends ExtendableEvent { request: Request; respondWith(response: Promise<Response>): void }
interface NotificationEvent extends ExtendableEvent { notification: Notification }
interface WindowClient { url: string; focus(): Promise<WindowClient>; }
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: {
    claim(): Promise<void>;
    matchAll(options: { type: 'window' }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
  };
  location: Location;
}

const scope = self as unknown as WorkerScope;
const cacheName = 'agentcom-shell-v1';
const shell = ['/', '/app.js', '/app.css'];

scope.addEventListener('install', (event) => {
  event.waitUntil(caches.open(cacheName).then((cache) => cache.addAll(shell)).catch(() => undefined).then(() => scope.skipWaiting()));
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== cacheName).map((name) => caches.delete(name))))
    .then(() => scope.clients.claim()));
});

scope.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== scope.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/ws')) return;
  const key = event.request.mode === 'navigate' ? '/' : url.pathname;
  if (event.request.mode !== 'navigate' && !shell.includes(key)) return;
  event.respondWith(fetch(event.request).then(
    (response) => {
      if (response.ok) {
        const copy = response.clone();
        void caches.open(cacheName).then((cache) => cache.put(key, copy));
      }
      return response;
    },
    async () => (await caches.match(key)) ?? Response.error(),
  ));
});

scope.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(scope.clients.matchAll({ type: 'window' }).then((windows) => {
    const open = windows[0];
    return open ? open.focus() : scope.clients.openWindow('/');
  }));
});
