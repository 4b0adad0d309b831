import { z } from 'zod';
import { epochSeconds, numericString } from './common';
import {
  type BaseProviderOptions,
  createProviderHttp,
  type ProviderHttp,
  type ProviderInit,
  type UpstreamProblem,
} from './http';

export const ALTERNATIVE_ME_SOURCE_ID = 'alternative-me';
export const ALTERNATIVE_ME_URL = 'https://api.alternative.me';

export type AlternativeMeOptions = BaseProviderOptions;

// --- upstream bodies -------------------------------------------------------------------

const metadata = z.object({ error: z.string().nullable().optional() }).optional();

export const alternativeMeSchemas = {
  fng: z.object({
    name: z.string().optional(),
    data: z.array(
      z.object({
        value: numericString.pipe(z.number().int().min(0).max(100)),
        value_classification: z.string().min(1),
        timestamp: epochSeconds,
        time_until_update: numericString.optional(),
      }),
    ),
    metadata,
  }),
};

// --- what the adapter returns ----------------------------------------------------------

/** One day of the Crypto Fear & Greed Index: 0 is extreme fear, 100 extreme greed. */
export interface FearGreedPoint {
  value: number;
  /** 'Extreme Fear', 'Fear', 'Neutral', 'Greed' or 'Extreme Greed'. */
  classification: string;
  /** Epoch ms of the day the value is for (00:00 UTC). */
  time: number;
}

// --- pure mapping ----------------------------------------------------------------------

/** alternative.me reports errors in `metadata.error` with a 200 status. */
export function alternativeMeProblem(raw: unknown): UpstreamProblem | undefined {
  const parsed = z.object({ metadata }).safeParse(raw);
  const error = parsed.success ? parsed.data.metadata?.error : null;
  return error ? { kind: 'upstream', message: error } : undefined;
}

/** Maps /fng/ data to points, oldest first (the API lists newest first). */
export function mapFearGreed(body: z.output<typeof alternativeMeSchemas.fng>): FearGreedPoint[] {
  return body.data
    .map((d) => ({ value: d.value, classification: d.value_classification, time: d.timestamp }))
    .sort((a, b) => a.time - b.time);
}

// --- the adapter -----------------------------------------------------------------------

/**
 * alternative.me's Crypto Fear & Greed Index (https://alternative.me/crypto/api/). Every
 * value in the body is a string, timestamps are epoch seconds, and the index updates once
 * a day around 00:00 UTC. The API allows 60 requests a minute.
 */
export class AlternativeMeClient {
  readonly sourceId: string;
  readonly #http: ProviderHttp;

  constructor(init: ProviderInit<AlternativeMeOptions>) {
    this.#http = createProviderHttp(init, {
      sourceId: ALTERNATIVE_ME_SOURCE_ID,
      baseUrl: ALTERNATIVE_ME_URL,
      minIntervalMs: 1_000,
    });
    this.sourceId = this.#http.sourceId;
  }

  /** /fng/?limit=N: the last `limit` days (default 1); `limit` 0 returns the whole history from 2018-02-01. */
  async fearGreed(limit = 1): Promise<FearGreedPoint[]> {
    const body = await this.#http.json('/fng/', { limit }, alternativeMeSchemas.fng, {
      inspect: alternativeMeProblem,
    });
    return mapFearGreed(body);
  }
}
