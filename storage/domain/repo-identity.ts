// Which repository a lease is in: the one rule comparing `metadata.repo` values and the
// `repo` of a lease request. People write one repository several ways (`git@host:team/app`,
// `git@host:team/app.git`, `…/app/`), and leases in "two" repositories that are one would not
// hold each other back. Case is kept: git hosts and file systems differ on it.

/** The repository `repo` names, as leases compare it: trimmed, without trailing slashes or a `.git` suffix. */
export function normaliseRepo(repo: string): string {
  const written = repo.trim();
  let name = written;
  for (;;) {
    const shorter = name.replace(/\/+$/, '').replace(/\.git$/, '');
    // Nothing left (`/`, `.git`): not the default repository, so kept as written.
    if (shorter === '') return written;
    if (shorter === name) return name;
    name = shorter;
  }
}
