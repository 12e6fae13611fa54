// The admin token: `agentcom start` prints `/#token=…`. The page moves it to session
// storage and drops it from the address bar, so it is not bookmarked or shared by accident.
const storageKey = 'agentcom.adminToken';

/** Takes a token from the URL fragment, if any, and returns the stored one. */
export function adoptToken(): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get('token');
  if (fromUrl) {
    sessionStorage.setItem(storageKey, fromUrl);
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  }
  return sessionStorage.getItem(storageKey);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(storageKey, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(storageKey);
}
