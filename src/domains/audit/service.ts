import type { RequestFacts } from '../../core/client';
import { newId } from '../../core/ids';
import type { Database } from '../../db/client';
import { auditLogs, userActivities } from '../../db/schema';

/** A `user_activities` insert, to go in the same D1 batch as the change it records. */
export function activity(
  d: Database,
  input: {
    userId: string | null;
    action: string;
    facts?: Partial<RequestFacts>;
    sessionId?: string | null;
    details?: unknown;
  },
) {
  return d.insert(userActivities).values({
    id: newId('activity'),
    userId: input.userId,
    action: input.action,
    details: input.details ?? null,
    ipAddress: input.facts?.ipAddress ?? null,
    userAgent: input.facts?.userAgent ?? null,
    sessionId: input.sessionId ?? null,
  });
}

/** An `audit_logs` insert for an admin's change, batched with the change. */
export function audit(
  d: Database,
  input: {
    actorUserId: string;
    action: string;
    targetType: string;
    targetId: string;
    details?: unknown;
    facts?: Partial<RequestFacts>;
    requestId?: string | null;
  },
) {
  return d.insert(auditLogs).values({
    id: newId('audit'),
    actorUserId: input.actorUserId,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    details: input.details ?? null,
    ipAddress: input.facts?.ipAddress ?? null,
    userAgent: input.facts?.userAgent ?? null,
    requestId: input.requestId ?? null,
  });
}
