// Parses a JSON body or frame from raw bytes, refusing what would hurt later stages:
// nesting deeper than `maxDepth` (ajv, lmdb's encoder and JSON.stringify recurse and
// overflow the stack on 100k levels), bytes that are not UTF-8, and lone UTF-16
// surrogates written as \uD800 escapes (both were stored silently as U+FFFD).
import { isUtf8 } from 'node:buffer';
import type { ValidationErrorItem } from './validation.ts';

/** Deep enough for any real metadata, shallow enough for every recursive consumer. */
export const maxJsonDepth = 64;

export type JsonInput =
  | { ok: true; value: unknown }
  | { ok: false; problem: 'invalid_json' }
  | { ok: false; problem: 'too_deep'; maxDepth: number }
  | { ok: false; problem: 'invalid_unicode'; errors: ValidationErrorItem[] };

/** In a `u` regex a surrogate pair is one code point, so only a lone half is in category Cs. */
const loneSurrogate = /\p{Cs}/u;
const openBrace = 0x7b;
const openBracket = 0x5b;
const closeBrace = 0x7d;
const closeBracket = 0x5d;
const quote = 0x22;
const backslash = 0x5c;
const unicodeEscape = Buffer.from('\\u');

export function parseJsonInput(bytes: Uint8Array, maxDepth = maxJsonDepth): JsonInput {
  // A text shorter than 2 × maxDepth cannot nest deeper than maxDepth.
  if (bytes.length > 2 * maxDepth && nestingExceeds(bytes, maxDepth)) return { ok: false, problem: 'too_deep', maxDepth };
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wellFormedBytes = isUtf8(buffer);
  let value: unknown;
  try {
    value = JSON.parse(buffer.toString('utf8'));
  } catch {
    return { ok: false, problem: 'invalid_json' };
  }
  if (!wellFormedBytes) {
    // The decoder put U+FFFD where the bad bytes were: the first string holding one names the field.
    const field = firstStringMatching(value, '', (text) => text.includes('\uFFFD')) ?? 'body';
    return invalidUnicode(field, 'is not valid UTF-8');
  }
  // Well-formed UTF-8 encodes no surrogate: a lone one can only come from a \u escape, so a
  // text without any is not walked (every frame and body passed here; the walk built a path per key).
  if (buffer.indexOf(unicodeEscape) === -1) return { ok: true, value };
  const field = firstStringMatching(value, '', (text) => loneSurrogate.test(text));
  if (field !== null) return invalidUnicode(field, 'contains a lone UTF-16 surrogate');
  return { ok: true, value };
}

function invalidUnicode(field: string, what: string): JsonInput {
  return { ok: false, problem: 'invalid_unicode', errors: [{ field, error: 'invalid_unicode', detail: `${field} ${what}` }] };
}

/** Bracket depth outside strings; one pass, no allocation. */
function nestingExceeds(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === backslash) i++;
      else if (byte === quote) inString = false;
    } else if (byte === quote) {
      inString = true;
    } else if (byte === openBrace || byte === openBracket) {
      if (++depth > maxDepth) return true;
    } else if (byte === closeBrace || byte === closeBracket) {
      depth--;
    }
  }
  return false;
}

/** Path of the first key or string value that matches, as the validator names fields (`metadata.a`, `tags[2]`). */
function firstStringMatching(value: unknown, path: string, matches: (text: string) => boolean): string | null {
  if (typeof value === 'string') return matches(value) ? path || 'body' : null;
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstStringMatching(value[i], `${path}[${i}]`, matches);
      if (found !== null) return found;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (matches(key)) return field;
    const found = firstStringMatching((value as Record<string, unknown>)[key], field, matches);
    if (found !== null) return found;
  }
  return null;
}
