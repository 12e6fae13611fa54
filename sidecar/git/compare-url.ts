// A GitHub "open a pull request" link for a branch, derived from origin's URL.

const githubRemote = /^(?:https?:\/\/(?:[^@/]+@)?github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([^/]+)\/([^/]+?)(?:\.git)?\/?$/;

/** Null when origin is not on github.com: other forges shape their links differently. */
export function compareUrlFor(originUrl: string, branch: string, base = 'main'): string | null {
  const match = githubRemote.exec(originUrl.trim());
  if (!match) return null;
  const [, owner, repo] = match;
  const encodedBranch = branch.split('/').map(encodeURIComponent).join('/');
  return `https://github.com/${owner}/${repo}/compare/${base}...${encodedBranch}?expand=1`;
}
