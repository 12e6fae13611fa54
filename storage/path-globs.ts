// Path globs of a task's lease, and the one rule deciding whether two sets of them overlap.
//
// The dialect: `/` separates segments; `**` as a whole segment matches any number of segments
// (zero included); `*` matches any run of characters within a segment, `?` one character,
// `[abc]`, `[a-z]`, `[!a]` / `[^a]` one character of (or not of) a class; `{a,b}` expands to
// alternatives. Every other character is literal; matching is case-sensitive, as git is.
// A glob also covers everything below what it matches: `src` leases the whole `src` folder.
//
// Overlap is decided exactly on the languages (a product walk of two automata), with two
// conservative shortcuts that can only answer "overlap": brace sets that expand past
// `maxAlternatives` count as `**`, and dot files are not special.
// Which globs are acceptable at all is the schema's rule (pathGlobField, storage/domain/path-glob.ts).
// A leaf: imports nothing of ours, so the sidecar (agentcom-git) uses the same rule.

/** One character class: the code point ranges it takes, or leaves out when `negated`. */
interface CharClass {
  negated: boolean;
  ranges: ReadonlyArray<readonly [number, number]>;
}

type SegmentToken = { kind: 'star' } | { kind: 'char'; set: CharClass };
type Segment = { kind: 'globstar' } | { kind: 'pattern'; tokens: SegmentToken[]; literal: string | null };

/** A parsed glob: the alternatives its braces expand to, each a list of segments. */
export interface ParsedGlob {
  readonly source: string;
  readonly alternatives: readonly Segment[][];
  /** Each alternative with `**` appended: what it covers, files below included. */
  readonly covered: readonly Segment[][];
  /** The literal folders every alternative starts with: every covered path starts with them. */
  readonly literalPrefix: readonly string[];
  /** True when the glob is one literal path (no pattern, no alternatives): it covers that path and what is below. */
  readonly literal: boolean;
  /** The first segment when every alternative starts with the same literal one: the lease table's index key. */
  readonly topLiteral: string | null;
}

/** Past this many alternatives a brace set is not expanded, and the glob counts as `**`. */
export const globLimits = { maxAlternatives: 64 } as const;

const anyChar: CharClass = { negated: true, ranges: [] };
const noTokens: SegmentToken[] = [];
const globstar: Segment = { kind: 'globstar' };

/** Normalises `./a//b/` to `a/b`. */
export function normaliseGlob(glob: string): string {
  return glob.split('/').filter((segment) => segment !== '' && segment !== '.').join('/');
}

const parsedCache = new Map<string, ParsedGlob>();
const parsedCacheLimit = 50_000;

/** Characters that can make a glob more than one literal path. */
const patternChars = /[*?[{]/;

export function parseGlob(glob: string): ParsedGlob {
  let parsed = parsedCache.get(glob);
  if (parsed) return parsed;
  parsed = patternChars.test(glob) ? parsePattern(glob) : parseLiteral(glob);
  if (parsedCache.size >= parsedCacheLimit) parsedCache.clear();
  parsedCache.set(glob, parsed);
  return parsed;
}

/** A glob without pattern characters (most leases name files): its names are its segments, nothing to expand or tokenise. */
function parseLiteral(glob: string): ParsedGlob {
  const names = glob.split('/').filter((name) => name !== '' && name !== '.');
  if (names.length === 0) return parsePattern(glob);
  const segments: Segment[] = names.map((name) => ({ kind: 'pattern', tokens: noTokens, literal: name }));
  return { source: glob, alternatives: [segments], covered: [[...segments, globstar]], literalPrefix: names, literal: true, topLiteral: names[0] };
}

function parsePattern(glob: string): ParsedGlob {
  const expanded = expandBraces(normaliseGlob(glob));
  const alternatives = expanded === null
    ? [[globstar]]
    : expanded.map((alternative) => {
      const segments = normaliseGlob(alternative).split('/').filter((s) => s !== '').map(parseSegment);
      return segments.length > 0 ? segments : [globstar];
    });
  const literalPrefix = commonLiteralPrefix(alternatives);
  const literal = alternatives.length === 1 && literalPrefix.length === alternatives[0].length;
  return {
    source: glob, alternatives, covered: alternatives.map((segments) => [...segments, globstar]), literalPrefix, literal,
    topLiteral: literalPrefix[0] ?? null,
  };
}

/** True when some file is covered by both globs (conservative: never false when one is). */
export function globsOverlap(a: string | ParsedGlob, b: string | ParsedGlob): boolean {
  const left = typeof a === 'string' ? parseGlob(a) : a;
  const right = typeof b === 'string' ? parseGlob(b) : b;
  // Covered paths start with each glob's literal folders: where those differ, nothing is shared.
  const shared = Math.min(left.literalPrefix.length, right.literalPrefix.length);
  for (let i = 0; i < shared; i += 1) if (left.literalPrefix[i] !== right.literalPrefix[i]) return false;
  // Two literal paths, one a prefix of the other (checked above): one lies under the other.
  if (left.literal && right.literal) return true;
  for (const x of left.covered) {
    // Each glob covers what lies below its matches: compare `x/**` with `y/**`.
    for (const y of right.covered) if (segmentsIntersect(x, y)) return true;
  }
  return false;
}

/** True when some file is covered by a glob of each set. */
export function globSetsOverlap(a: ReadonlyArray<string | ParsedGlob>, b: ReadonlyArray<string | ParsedGlob>): boolean {
  for (const x of a) for (const y of b) if (globsOverlap(x, y)) return true;
  return false;
}

/** True when `path` (a file, relative to the repository root) lies under something `glob` matches. */
export function globCovers(glob: string | ParsedGlob, path: string): boolean {
  const parsed = typeof glob === 'string' ? parseGlob(glob) : glob;
  const segments = normaliseGlob(path).split('/').filter((s) => s !== '');
  if (segments.length === 0) return false;
  return parsed.covered.some((alternative) => coversSegments(alternative, segments));
}

/** The literal segments all alternatives start with, in order. */
function commonLiteralPrefix(alternatives: readonly Segment[][]): string[] {
  const prefix: string[] = [];
  for (let i = 0; ; i += 1) {
    let name: string | null = null;
    for (const segments of alternatives) {
      const segment = segments[i];
      const literal = segment?.kind === 'pattern' ? segment.literal : null;
      if (literal === null || (name !== null && literal !== name)) return prefix;
      name = literal;
    }
    if (name === null) return prefix;
    prefix.push(name);
  }
}

// --- segments ---------------------------------------------------------------------------------

/** Is there a path (a list of non-empty segments) both segment lists match? A walk of their product. */
function segmentsIntersect(a: readonly Segment[], b: readonly Segment[]): boolean {
  const width = b.length + 1;
  const seen = new Uint8Array((a.length + 1) * width);
  const stack: number[] = [0];
  seen[0] = 1;
  const visit = (i: number, j: number) => {
    const at = i * width + j;
    if (!seen[at]) {
      seen[at] = 1;
      stack.push(at);
    }
  };
  while (stack.length > 0) {
    const at = stack.pop()!;
    const i = Math.floor(at / width);
    const j = at % width;
    if (i === a.length && j === b.length) return true;
    const x = a[i];
    const y = b[j];
    // `**` may match no segment at all.
    if (x?.kind === 'globstar') visit(i + 1, j);
    if (y?.kind === 'globstar') visit(i, j + 1);
    if (!x || !y) continue;
    // One segment of the path, taken by both sides: a `**` keeps its place, a pattern moves on.
    if (x.kind === 'globstar' && y.kind === 'pattern') visit(i, j + 1);
    else if (x.kind === 'pattern' && y.kind === 'globstar') visit(i + 1, j);
    else if (x.kind === 'pattern' && y.kind === 'pattern' && patternsIntersect(x, y)) visit(i + 1, j + 1);
  }
  return false;
}

function coversSegments(glob: readonly Segment[], path: readonly string[]): boolean {
  const width = path.length + 1;
  const seen = new Uint8Array((glob.length + 1) * width);
  const stack: number[] = [0];
  seen[0] = 1;
  const visit = (i: number, j: number) => {
    const at = i * width + j;
    if (!seen[at]) {
      seen[at] = 1;
      stack.push(at);
    }
  };
  while (stack.length > 0) {
    const at = stack.pop()!;
    const i = Math.floor(at / width);
    const j = at % width;
    if (i === glob.length && j === path.length) return true;
    const segment = glob[i];
    if (!segment) continue;
    if (segment.kind === 'globstar') {
      visit(i + 1, j);
      if (j < path.length) visit(i, j + 1);
    } else if (j < path.length && patternMatches(segment, path[j])) {
      visit(i + 1, j + 1);
    }
  }
  return false;
}

function parseSegment(text: string): Segment {
  if (text === '**') return globstar;
  // Most segments are plain names: no tokens are needed to compare them (patternsIntersect and patternMatches use `literal`).
  if (!/[*?[]/.test(text)) return { kind: 'pattern', tokens: noTokens, literal: text };
  const tokens: SegmentToken[] = [];
  let literal = true;
  for (let at = 0; at < text.length;) {
    const char = text[at];
    if (char === '*') {
      literal = false;
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
      at += 1;
    } else if (char === '?') {
      literal = false;
      tokens.push({ kind: 'char', set: anyChar });
      at += 1;
    } else if (char === '[') {
      const parsed = parseClass(text, at);
      if (parsed) {
        literal = false;
        tokens.push({ kind: 'char', set: parsed.set });
        at = parsed.next;
      } else {
        tokens.push(literalChar(char));
        at += 1;
      }
    } else {
      const codePoint = text.codePointAt(at)!;
      tokens.push({ kind: 'char', set: { negated: false, ranges: [[codePoint, codePoint]] } });
      at += codePoint > 0xffff ? 2 : 1;
    }
  }
  return { kind: 'pattern', tokens, literal: literal ? text : null };
}

function literalChar(char: string): SegmentToken {
  const codePoint = char.codePointAt(0)!;
  return { kind: 'char', set: { negated: false, ranges: [[codePoint, codePoint]] } };
}

/** `[...]` from `start`; null when it never closes (then `[` is literal). */
function parseClass(text: string, start: number): { set: CharClass; next: number } | null {
  let at = start + 1;
  const negated = text[at] === '!' || text[at] === '^';
  if (negated) at += 1;
  const ranges: Array<[number, number]> = [];
  let first = true;
  while (at < text.length && (text[at] !== ']' || first)) {
    first = false;
    const low = text.codePointAt(at)!;
    at += low > 0xffff ? 2 : 1;
    if (text[at] === '-' && at + 1 < text.length && text[at + 1] !== ']') {
      const high = text.codePointAt(at + 1)!;
      at += high > 0xffff ? 3 : 2;
      ranges.push(low <= high ? [low, high] : [high, low]);
    } else {
      ranges.push([low, low]);
    }
  }
  if (at >= text.length) return null;
  return { set: { negated, ranges }, next: at + 1 };
}

/** Is there a non-empty string both segment patterns match? The same product walk, over characters. */
function patternsIntersect(x: Segment & { kind: 'pattern' }, y: Segment & { kind: 'pattern' }): boolean {
  if (x.literal !== null && y.literal !== null) return x.literal === y.literal;
  if (x.literal !== null) return patternMatches(y, x.literal);
  if (y.literal !== null) return patternMatches(x, y.literal);
  const a = x.tokens;
  const b = y.tokens;
  const width = b.length + 1;
  const seen = new Uint8Array((a.length + 1) * width);
  const stack: number[] = [0];
  seen[0] = 1;
  const visit = (i: number, j: number) => {
    const at = i * width + j;
    if (!seen[at]) {
      seen[at] = 1;
      stack.push(at);
    }
  };
  while (stack.length > 0) {
    const at = stack.pop()!;
    const i = Math.floor(at / width);
    const j = at % width;
    // Two star-only patterns meet on any one-character segment; a pattern with a character is never empty.
    if (i === a.length && j === b.length) return true;
    const s = a[i];
    const t = b[j];
    if (s?.kind === 'star') visit(i + 1, j);
    if (t?.kind === 'star') visit(i, j + 1);
    if (!s || !t) continue;
    if (s.kind === 'star' && t.kind === 'char') visit(i, j + 1);
    else if (s.kind === 'char' && t.kind === 'star') visit(i + 1, j);
    else if (s.kind === 'char' && t.kind === 'char' && classesMeet(s.set, t.set)) visit(i + 1, j + 1);
  }
  return false;
}

function patternMatches(pattern: Segment & { kind: 'pattern' }, text: string): boolean {
  if (pattern.literal !== null) return pattern.literal === text;
  const chars = Array.from(text, (char) => char.codePointAt(0)!);
  const tokens = pattern.tokens;
  // Positions in `chars` each token prefix can reach (the classic glob walk, as a set of states).
  let states = new Set<number>([0]);
  for (const token of tokens) {
    const next = new Set<number>();
    for (const at of states) {
      if (token.kind === 'star') for (let end = at; end <= chars.length; end += 1) next.add(end);
      else if (at < chars.length && inClass(token.set, chars[at])) next.add(at + 1);
    }
    if (next.size === 0) return false;
    states = next;
  }
  return states.has(chars.length);
}

function inClass(set: CharClass, codePoint: number): boolean {
  const listed = set.ranges.some(([low, high]) => codePoint >= low && codePoint <= high);
  return set.negated ? !listed : listed;
}

/** Is there a character in both classes? (Code points are unbounded enough that two negated classes always meet.) */
function classesMeet(a: CharClass, b: CharClass): boolean {
  if (a.negated && b.negated) return true;
  if (!a.negated && !b.negated) {
    return a.ranges.some(([lowA, highA]) => b.ranges.some(([lowB, highB]) => lowA <= highB && lowB <= highA));
  }
  const [positive, negative] = a.negated ? [b, a] : [a, b];
  return positive.ranges.some((range) => leavesSomething(range, negative.ranges));
}

/** Does `range` keep a code point after every range of `holes` is taken out? */
function leavesSomething([low, high]: readonly [number, number], holes: ReadonlyArray<readonly [number, number]>): boolean {
  const sorted = [...holes].sort((x, y) => x[0] - y[0]);
  let next = low;
  for (const [holeLow, holeHigh] of sorted) {
    if (holeHigh < next) continue;
    if (holeLow > next) return true;
    next = holeHigh + 1;
    if (next > high) return false;
  }
  return next <= high;
}

// --- braces -------------------------------------------------------------------------------------

/** The alternatives of `{a,b}` groups (nested too); null past `maxAlternatives` (then the glob counts as `**`). */
function expandBraces(glob: string): string[] | null {
  const open = findBraceGroup(glob);
  if (!open) return [glob];
  const { start, end, options } = open;
  const results: string[] = [];
  for (const option of options) {
    const expanded = expandBraces(glob.slice(0, start) + option + glob.slice(end + 1));
    if (expanded === null) return null;
    results.push(...expanded);
    if (results.length > globLimits.maxAlternatives) return null;
  }
  return results;
}

/** The first balanced `{…}` with a top-level comma; unbalanced or comma-less braces are literal. */
function findBraceGroup(glob: string): { start: number; end: number; options: string[] } | null {
  for (let start = glob.indexOf('{'); start !== -1; start = glob.indexOf('{', start + 1)) {
    let depth = 0;
    let optionStart = start + 1;
    const options: string[] = [];
    for (let at = start; at < glob.length; at += 1) {
      const char = glob[at];
      if (char === '{') depth += 1;
      else if (char === '}') {
        depth -= 1;
        if (depth === 0) {
          if (options.length === 0) break;
          options.push(glob.slice(optionStart, at));
          return { start, end: at, options };
        }
      } else if (char === ',' && depth === 1) {
        options.push(glob.slice(optionStart, at));
        optionStart = at + 1;
      }
    }
  }
  return null;
}
