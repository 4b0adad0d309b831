import type { RouterRoute } from 'hono/types';

interface CompiledRoute {
  method: string;
  pattern: RegExp;
}

/** A Hono path (`/a/:id`, `/a/:id{[0-9]+}`, `/a/*`) as an anchored regular expression. */
function compile(path: string): RegExp {
  let source = '';
  for (const part of path.split('/').filter(Boolean)) {
    if (part === '*') source += '(?:/.*)?';
    else if (part.startsWith(':')) {
      const custom = /\{(.+)\}$/.exec(part);
      source += `/(?:${custom ? custom[1] : '[^/]+'})`;
    } else source += `/${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
  }
  return new RegExp(`^${source || '/'}$`);
}

/**
 * Answers which methods a path has routes for, so an unmatched request can be told 405 with
 * an `Allow` header instead of 404. Compiled once, on first use, from the app's routes.
 */
export function allowedMethods(routes: readonly RouterRoute[]): (path: string) => string[] {
  let compiled: CompiledRoute[] | undefined;
  return (path) => {
    compiled ??= routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method.toUpperCase(), pattern: compile(r.path) }));
    const methods = new Set<string>();
    for (const route of compiled) if (route.pattern.test(path)) methods.add(route.method);
    if (methods.has('GET')) methods.add('HEAD');
    if (methods.size) methods.add('OPTIONS');
    return [...methods].sort();
  };
}
