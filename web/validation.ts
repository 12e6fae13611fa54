// Every wire schema compiled once, and ajv's errors turned into the reference's
// error items (§7): {field, error: required|wrong_type|too_long|unknown_message_type, detail, value?}.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TObject } from '@sinclair/typebox';
import {
  dashboardMessageSchemas, httpSchemas, knownWsTypes, wsMessageSchemas, type AgentFrame, type HttpInput, type HttpSchemaName,
} from './protocol/index.ts';
import type { DashboardFrame } from './protocol/dashboard-messages.ts';

/** `invalid_unicode` is ours: invalid UTF-8 bytes or a lone surrogate (web/json-input.ts). */
export type ValidationErrorKind = 'required' | 'wrong_type' | 'too_long' | 'unknown_message_type' | 'invalid_unicode';

export interface ValidationErrorItem {
  field: string;
  error: ValidationErrorKind;
  detail: string;
  value?: string;
  known_types?: string[];
}

export type Validated<T = Record<string, unknown>> =
  | { ok: true; value: T }
  | { ok: false; errors: ValidationErrorItem[] };

export type ValidatedFrame<F extends { type: string } = Record<string, unknown> & { type: string }> =
  | { ok: true; type: F['type']; message: F }
  | { ok: false; messageType: string | null; errors: ValidationErrorItem[] };

const tooLongPreviewChars = 50;

export interface WireValidator {
  /** A parsed agent-socket frame: envelope, known type, then the type's schema. */
  /** Narrows to the frame's own type: switch on `message.type` and no cast follows. */
  agentFrame(raw: unknown): ValidatedFrame<AgentFrame>;
  dashboardFrame(raw: unknown): ValidatedFrame<DashboardFrame>;
  /** Typed by the schema it names: no cast follows. */
  httpInput<N extends HttpSchemaName>(name: N, raw: unknown): Validated<HttpInput<N>>;
}

/** Compiles every schema of the registry; call once at boot. */
export function createWireValidator(): WireValidator {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
  const compileAll = (schemas: Readonly<Record<string, TObject>>) =>
    new Map(Object.entries(schemas).map(([key, schema]) => [key, ajv.compile(schema)]));
  const agent = compileAll(wsMessageSchemas);
  const dashboard = compileAll(dashboardMessageSchemas);
  const http = compileAll(httpSchemas);
  const dashboardTypes = [...dashboard.keys()];

  return {
    agentFrame: (raw) => validateFrame<AgentFrame>(agent, knownWsTypes, raw),
    dashboardFrame: (raw) => validateFrame<DashboardFrame>(dashboard, dashboardTypes, raw),
    httpInput(name, raw) {
      if (!isPlainObject(raw)) {
        return { ok: false, errors: [{ field: 'body', error: 'wrong_type', detail: 'body must be a JSON object' }] };
      }
      const value = withoutNulls(raw);
      const validate = http.get(name)!;
      // The one place an HTTP input gets its type: the schema it names has just passed it.
      return validate(value) ? { ok: true, value: value as HttpInput<typeof name> } : { ok: false, errors: toErrorItems(validate, value) };
    },
  };
}

function validateFrame<F extends { type: string }>(
  validators: Map<string, ValidateFunction>,
  knownTypes: readonly string[],
  raw: unknown,
): ValidatedFrame<F> {
  if (!isPlainObject(raw)) {
    return { ok: false, messageType: null, errors: [{ field: 'message', error: 'wrong_type', detail: 'message must be a JSON object' }] };
  }
  const message = withoutNulls(raw);
  const type = message.type;
  if (type === undefined) {
    return { ok: false, messageType: null, errors: [{ field: 'type', error: 'required', detail: 'type is required' }] };
  }
  if (typeof type !== 'string') {
    return { ok: false, messageType: null, errors: [{ field: 'type', error: 'wrong_type', detail: 'type must be a string' }] };
  }
  const validate = validators.get(type);
  if (!validate) {
    return {
      ok: false,
      messageType: type,
      errors: [{
        field: 'type', error: 'unknown_message_type', detail: `unknown message type ${preview(type)}`,
        known_types: [...knownTypes],
      }],
    };
  }
  // The one place a frame gets its type: the schema of `type` has just passed it.
  return validate(message) ? { ok: true, type, message: message as F } : { ok: false, messageType: type, errors: toErrorItems(validate, message) };
}

/** The reference treats null as absent. Copies only when there is a null to drop. */
function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const key in value) {
    if (value[key] === null) {
      copy ??= { ...value };
      delete copy[key];
    }
  }
  return copy ?? value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toErrorItems(validate: ValidateFunction, data: unknown): ValidationErrorItem[] {
  const errors = validate.errors ?? [];
  // A failed union reports one wrong_type at its path, not every branch's complaint.
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  // One item per field: an empty string fails minLength and pattern, but is one mistake.
  const byField = new Map<string, ValidationErrorItem>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && unions.some((u) => error.schemaPath.startsWith(u.schemaPath.replace(/\/anyOf$/, '/anyOf/')))) continue;
    const item = toErrorItem(error, data);
    const earlier = byField.get(item.field);
    if (!earlier || (item.error === 'required' && earlier.error !== 'required')) byField.set(item.field, item);
  }
  return [...byField.values()];
}

function toErrorItem(error: ErrorObject, data: unknown): ValidationErrorItem {
  const path = fieldName(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const field = joinField(path, String(params.missingProperty));
      return { field, error: 'required', detail: `${field} is required` };
    }
    case 'minLength':
      return { field: path, error: 'required', detail: `${path} must not be empty` };
    case 'maxLength': {
      const value = valueAt(data, error.instancePath);
      return {
        field: path, error: 'too_long', detail: `${path} must be at most ${String(params.limit)} characters`,
        ...(typeof value === 'string' ? { value: preview(value) } : {}),
      };
    }
    case 'maxItems':
    case 'maxProperties':
      return { field: path, error: 'too_long', detail: `${path} must have at most ${String(params.limit)} entries` };
    case 'type':
      return { field: path, error: 'wrong_type', detail: `${path} must be ${describeType(params.type)}` };
    case 'anyOf':
      return { field: path, error: 'wrong_type', detail: `${path} does not match any allowed form` };
    case 'enum':
      return { field: path, error: 'wrong_type', detail: `${path} must be one of ${(params.allowedValues as unknown[]).join(', ')}` };
    default:
      return { field: path, error: 'wrong_type', detail: `${path} ${error.message ?? 'is invalid'}` };
  }
}

function describeType(type: unknown): string {
  const name = String(type);
  return name === 'object' ? 'an object' : name === 'array' ? 'a list' : name === 'integer' ? 'an integer' : `a ${name}`;
}

function preview(text: string): string {
  return text.length > tooLongPreviewChars ? `${text.slice(0, tooLongPreviewChars)}...` : text;
}

/** `/needed_capabilities/3` → `needed_capabilities[3]`, `/metadata/a` → `metadata.a`. */
function fieldName(instancePath: string): string {
  let field = '';
  for (const segment of instancePath.split('/').slice(1)) {
    const name = segment.replace(/~1/g, '/').replace(/~0/g, '~');
    field = /^\d+$/.test(name) ? `${field}[${name}]` : joinField(field, name);
  }
  return field || 'message';
}

function joinField(path: string, name: string): string {
  return path && path !== 'message' ? `${path}.${name}` : name;
}

function valueAt(data: unknown, instancePath: string): unknown {
  let node = data;
  for (const segment of instancePath.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}
