// The path globs a task may lease, as a schema: which globs are acceptable at all
// (storage/path-globs.ts has the dialect and decides overlap).
import { Type } from '@sinclair/typebox';
import { taskLimits } from './task-limits.ts';

/**
 * A path glob a task leases, relative to its repository: not absolute, no `..` segment, no
 * backslash, no leading `!`, no control characters.
 */
export const pathGlobField = Type.String({
  minLength: 1,
  maxLength: taskLimits.pathChars,
  pattern: '^(?![/!])(?![A-Za-z]:)(?!(?:.*/)?\\.\\.(?:/|$))[^\\\\\\u0000-\\u001f]*[^\\s\\\\\\u0000-\\u001f][^\\\\\\u0000-\\u001f]*$',
  description: 'a glob relative to the repository root: not absolute, without .. or backslashes, not a negation',
});
export const pathGlobList = Type.Array(pathGlobField, { minItems: 1, maxItems: taskLimits.paths });
