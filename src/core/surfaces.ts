/**
 * Which response style a path answers in (DESIGN.md, "One core, several surfaces"):
 * - `envelope`: 000/001 paths under /api/v1 answer `{success, data, meta}`;
 * - `fastapi`: 004's namespaces answer plain bodies and FastAPI-style 422s;
 * - `plain`: 002/003 paths and everything else answer the plain bodies their seeds show,
 *   wrapped in 002's v2 envelope when the client asks for v2.
 */
export type Surface = 'envelope' | 'fastapi' | 'plain';

const FASTAPI_PREFIXES = [
  '/api/v1/data',
  '/api/v1/analytics',
  '/api/v1/management',
  '/api/v1/export',
  '/api/v1/system',
  '/api/v1/admin/batch',
];

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function surfaceOf(path: string): Surface {
  if (FASTAPI_PREFIXES.some((p) => under(path, p))) return 'fastapi';
  if (under(path, '/api/v1')) return 'envelope';
  return 'plain';
}
