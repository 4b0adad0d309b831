import { z } from '@hono/zod-openapi';

export const HealthStatus = z.enum(['healthy', 'degraded', 'unhealthy']);
export type HealthStatus = z.infer<typeof HealthStatus>;

export const HealthSchema = z
  .object({
    status: HealthStatus,
    timestamp: z.string().openapi({ format: 'date-time', example: '2024-01-15T10:30:00Z' }),
    uptime: z.number().openapi({ description: 'Seconds since this isolate served its first request.' }),
    version: z.string().openapi({ example: '0.1.0' }),
  })
  .openapi('Health');

export const ServiceCheckSchema = z
  .object({
    service: z.string().openapi({ example: 'd1' }),
    status: HealthStatus,
    response_time: z.number().openapi({ description: 'Milliseconds the check took.' }),
    detail: z.string().optional(),
  })
  .openapi('ServiceCheck');

export const DetailedHealthSchema = HealthSchema.extend({
  environment: z.string(),
  system_metrics: z
    .object({
      runtime: z.literal('workerd'),
      colo: z.string().nullable().openapi({ description: 'Cloudflare location that served the request.' }),
      d1_round_trip_ms: z.number().nullable(),
      isolate_requests_served: z.number().int(),
      jobs_backlog: z.number().int().nullable().openapi({ description: 'Queued or retrying jobs.' }),
      oldest_queued_job_age_s: z.number().nullable(),
    })
    .openapi({
      description:
        'What a Worker can measure about itself. CPU and memory percentages are not exposed to Workers, so they are not reported.',
    }),
  services: z.array(ServiceCheckSchema),
}).openapi('DetailedHealth');

export type Health = z.infer<typeof HealthSchema>;
export type DetailedHealth = z.infer<typeof DetailedHealthSchema>;
export type ServiceCheck = z.infer<typeof ServiceCheckSchema>;
