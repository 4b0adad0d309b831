import { and, count, desc, eq } from 'drizzle-orm';
import { ApiError } from '../../core/errors';
import { newId } from '../../core/ids';
import type { Page } from '../../core/pagination';
import { db } from '../../db/client';
import { feedback } from '../../db/schema';
import type { Principal } from '../../env';
import { createNotification } from '../notifications/service';

type Row = typeof feedback.$inferSelect;

export function feedbackView(f: Row) {
  return {
    id: f.id,
    user_id: f.userId,
    category: f.category,
    subject: f.subject,
    message: f.message,
    rating: f.rating,
    status: f.status,
    admin_response: f.adminResponse,
    responded_by: f.respondedBy,
    responded_at: f.respondedAt,
    created_at: f.createdAt,
    updated_at: f.updatedAt,
  };
}

export async function submitFeedback(
  env: Env,
  principal: Principal,
  input: { category: string; subject: string; message: string; rating?: number | undefined },
) {
  const [row] = await db(env)
    .insert(feedback)
    .values({ id: newId('feedback'), userId: principal.userId, ...input, rating: input.rating ?? null })
    .returning();
  if (!row) throw new ApiError('DATABASE_ERROR', 'Could not save the feedback');
  return feedbackView(row);
}

export async function listFeedback(
  env: Env,
  filters: { userId?: string | undefined; status?: Row['status'] | undefined; category?: string | undefined },
  page: Page,
) {
  const where = and(
    filters.userId ? eq(feedback.userId, filters.userId) : undefined,
    filters.status ? eq(feedback.status, filters.status) : undefined,
    filters.category ? eq(feedback.category, filters.category) : undefined,
  );
  const d = db(env);
  const [rows, total] = await Promise.all([
    d
      .select()
      .from(feedback)
      .where(where)
      .orderBy(desc(feedback.createdAt), desc(feedback.id))
      .limit(page.limit)
      .offset(page.offset),
    d.select({ n: count() }).from(feedback).where(where).get(),
  ]);
  return { total: total?.n ?? 0, feedback: rows.map(feedbackView) };
}

/** An admin answers (or closes) feedback; a response notifies the user who sent it. */
export async function respondToFeedback(
  env: Env,
  admin: Principal,
  id: string,
  input: { response?: string | undefined; status?: Row['status'] | undefined },
) {
  const d = db(env);
  const existing = await d.select().from(feedback).where(eq(feedback.id, id)).get();
  if (!existing) throw new ApiError('NOT_FOUND', `Feedback ${id} not found`);
  const now = new Date().toISOString();
  const [row] = await d
    .update(feedback)
    .set({
      ...(input.response !== undefined
        ? {
            adminResponse: input.response,
            respondedBy: admin.userId,
            respondedAt: now,
            status: input.status ?? 'responded',
          }
        : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
      updatedAt: now,
    })
    .where(eq(feedback.id, id))
    .returning();
  if (!row) throw new ApiError('NOT_FOUND', `Feedback ${id} not found`);
  if (input.response !== undefined) {
    await createNotification(env, {
      userId: row.userId,
      type: 'feedback',
      category: 'feedback',
      title: `Reply to your feedback: ${row.subject}`,
      message: input.response,
      data: { feedback_id: row.id },
      dedupeKey: `feedback:${row.id}:${now}`,
    });
  }
  return feedbackView(row);
}
