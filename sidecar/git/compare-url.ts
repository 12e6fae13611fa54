// Where a pushed branch can be compared with main, derived from origin's URL, for any origin:
// - github.com and other Gitea/Forgejo/GitHub-Enterprise-style hosts: https://host/owner/repo/compare/main...branch
// - GitLab (a host with "gitlab" in its name): https://host/group/repo/-/compare/main...branch
// - Bitbucket Cloud: https://bitbucket.org/owner/repo/branches/compare/branch%0Dmain
// - a local or file:// origin, which has no web page: file:///path/to/origin.git#main...branch,
//   the range to give `git diff` or `git log` in that repository.

const scpLike = /^(?:[^@/]+@)?([^:/]+):(.+)$/;

interface Remote {
  host: string | null;
  path: string;
}

function parseRemote(originUrl: string): Remote | null {
  const url = originUrl.trim();
  if (url.startsWith('/') || url.startsWith('.')) return { host: null, path: url };
  if (url.startsWith('file://')) return { host: null, path: decodeURIComponent(url.slice('file://'.length)) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      return { host: parsed.hostname, path: parsed.pathname };
    } catch {
      return null;
    }
  }
  const scp = scpLike.exec(url);
  return scp ? { host: scp[1]!, path: scp[2]! } : null;
}

export function compareUrlFor(originUrl: string, branch: string, base = 'main'): string | null {
  const remote = parseRemote(originUrl);
  if (!remote) return null;
  const encodedBranch = branch.split('/').map(encodeURIComponent).join('/');
  if (remote.host === null) return `file://${encodeURI(remote.path)}#${base}...${branch}`;
  const repoPath = remote.path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  if (!repoPath.includes('/')) return null;
  const site = `https://${remote.host}/${repoPath}`;
  if (remote.host === 'github.com') return `${site}/compare/${base}...${encodedBranch}?expand=1`;
  if (remote.host.includes('gitlab')) return `${site}/-/compare/${base}...${encodedBranch}`;
  if (remote.host === 'bitbucket.org') return `${site}/branches/compare/${encodedBranch}%0D${base}`;
  return `${site}/compare/${base}...${encodedBranch}`;
}
