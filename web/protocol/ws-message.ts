// The envelope every agent-socket frame shares: an object with a string `type`.
// A leaf: imports only TypeBox and the field limits.
import { Type, type TLiteral, type TObject, type TProperties } from '@sinclair/typebox';
import { withFieldLimits } from './field-limits.ts';

/** A client → hub message schema: `type` fixed, the given fields, unknown fields allowed. */
export function wsMessage<T extends string, P extends TProperties>(
  type: T,
  properties: P,
): TObject<P & { type: TLiteral<T> }> {
  return Type.Object(
    { ...withFieldLimits(properties), type: Type.Literal(type) },
    { additionalProperties: true, $id: `ws/${type}` },
  ) as TObject<P & { type: TLiteral<T> }>;
}
