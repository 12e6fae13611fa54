// Bodies of the storage admin routes (POST /api/admin/restore).
import { Type, type Static } from '@sinclair/typebox';

/** POST /api/admin/restore[/:table]: which backup; the newest good one when absent. */
// The name is looked up among the listed backups, never used as a path.
export const restoreRequestSchema = Type.Object({ backup: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });
export type RestoreRequest = Static<typeof restoreRequestSchema>;
