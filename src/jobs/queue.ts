import { describeError, log } from '../core/logger';
import { JobMessage } from './messages';
import { deadLetter, runJob } from './service';

/** Consumer of `meridian-jobs` and of its dead-letter queue `meridian-jobs-dlq`. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deadLetters = batch.queue.endsWith('-dlq');
  for (const message of batch.messages) {
    const parsed = JobMessage.safeParse(message.body);
    if (!parsed.success) {
      log('error', 'job.bad_message', {
        queue: batch.queue,
        message_id: message.id,
        issues: parsed.error.issues,
      });
      message.ack();
      continue;
    }
    try {
      if (deadLetters) {
        await deadLetter(env, parsed.data, message.attempts);
        message.ack();
        continue;
      }
      const outcome = await runJob(env, parsed.data);
      if (outcome.kind === 'retry') message.retry({ delaySeconds: outcome.delaySeconds });
      else message.ack();
    } catch (err) {
      // The job's own failures are handled in runJob; this is D1 itself failing. Let the
      // queue redeliver, and after max_retries move the message to the dead-letter queue.
      log('error', 'job.consumer_failed', {
        queue: batch.queue,
        job_id: parsed.data.job_id,
        ...describeError(err),
      });
      message.retry({ delaySeconds: 30 });
    }
  }
}
