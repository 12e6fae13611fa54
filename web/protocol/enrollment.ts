// POST /api/admin/enrollment-tokens: how long the single-use token lives (1 s to 7 days).
import { Type, type Static } from '@sinclair/typebox';

export const enrollmentTokenCreateSchema = Type.Object({
  ttl_ms: Type.Integer({ minimum: 1000, maximum: 7 * 24 * 3_600_000 }),
}, { additionalProperties: true, $id: 'http/enrollment_token_create' });
export type EnrollmentTokenCreate = Static<typeof enrollmentTokenCreateSchema>;
