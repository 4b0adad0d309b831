import { expect } from 'vitest';

/** Asserts `body` is DESIGN.md's error shape with this status and code. */
export function expectError(res: Response, body: unknown, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('Content-Type')).toMatch(/application\/json/);
  const requestId = res.headers.get('X-Request-Id');
  expect(requestId).toBeTruthy();
  expect(body).toMatchObject({
    success: false,
    error: { code, status_code: status, message: expect.any(String), classification: expect.any(String) },
    status_code: status,
    timestamp: expect.any(String),
    request_id: requestId,
    detail: expect.anything(),
    meta: { timestamp: expect.any(String), request_id: requestId },
  });
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack frames
}
