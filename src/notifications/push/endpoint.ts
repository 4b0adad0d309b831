// SSRF guard for push subscription endpoints: the browser hands us a URL we will POST to, so it
// must be a public https origin on a known push service's host (the egress allow-list).
// Hostnames are checked by name only; Workers cannot see what a public name resolves to.

/** Why an endpoint was refused. */
export type PushEndpointErrorReason =
  | 'invalid_url'
  | 'not_https'
  | 'credentials'
  | 'port'
  | 'local_hostname'
  | 'single_label_hostname'
  | 'private_ipv4'
  | 'private_ipv6'
  | 'host_not_allowed';

/** A push subscription endpoint (RFC 8030 §5 push resource) we refuse to POST to: not a public https origin. */
export class PushEndpointError extends Error {
  override readonly name = 'PushEndpointError';
  constructor(
    readonly reason: PushEndpointErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** Host suffixes that never name a public host (RFC 6761 §6.3, RFC 6762, RFC 8375, ICANN's .internal). */
const LOCAL_SUFFIXES = ['localhost', 'local', 'internal', 'home.arpa'];

/**
 * IPv4 ranges that are not publicly routable unicast (RFC 6890 and its updates): [first octets
 * as a 32-bit number, prefix length, label].
 */
const BLOCKED_IPV4: ReadonlyArray<readonly [number, number, string]> = [
  [ipv4(0, 0, 0, 0), 8, '"this network" (0.0.0.0/8)'],
  [ipv4(10, 0, 0, 0), 8, 'private (10.0.0.0/8)'],
  [ipv4(100, 64, 0, 0), 10, 'carrier-grade NAT (100.64.0.0/10)'],
  [ipv4(127, 0, 0, 0), 8, 'loopback (127.0.0.0/8)'],
  [ipv4(169, 254, 0, 0), 16, 'link-local (169.254.0.0/16)'],
  [ipv4(172, 16, 0, 0), 12, 'private (172.16.0.0/12)'],
  [ipv4(192, 0, 0, 0), 24, 'IETF protocol assignments (192.0.0.0/24)'],
  [ipv4(192, 0, 2, 0), 24, 'documentation (192.0.2.0/24)'],
  [ipv4(192, 88, 99, 0), 24, '6to4 relay anycast (192.88.99.0/24)'],
  [ipv4(192, 168, 0, 0), 16, 'private (192.168.0.0/16)'],
  [ipv4(198, 18, 0, 0), 15, 'benchmarking (198.18.0.0/15)'],
  [ipv4(198, 51, 100, 0), 24, 'documentation (198.51.100.0/24)'],
  [ipv4(203, 0, 113, 0), 24, 'documentation (203.0.113.0/24)'],
  [ipv4(224, 0, 0, 0), 4, 'multicast (224.0.0.0/4)'],
  [ipv4(240, 0, 0, 0), 4, 'reserved (240.0.0.0/4, including 255.255.255.255)'],
];

function ipv4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function inPrefix(address: number, network: number, prefix: number): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (address & mask) >>> 0 === (network & mask) >>> 0;
}

/** Why an IPv4 address is not public unicast (RFC 6890 special-purpose ranges), or undefined when it is. */
export function blockedIpv4Reason(address: number): string | undefined {
  for (const [network, prefix, label] of BLOCKED_IPV4) {
    if (inPrefix(address, network, prefix)) return label;
  }
  return undefined;
}

// WHATWG URL "IPv4 number parser": 0x/0X hex, leading-0 octal, else decimal.
function parseIpv4Number(part: string): number | undefined {
  if (part === '') return undefined;
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(digits)) {
    digits = digits.slice(2);
    radix = 16;
  } else if (digits.length > 1 && digits.startsWith('0')) {
    digits = digits.slice(1);
    radix = 8;
  }
  if (digits === '') return 0;
  const pattern = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!pattern.test(digits)) return undefined;
  const value = Number.parseInt(digits, radix);
  return Number.isSafeInteger(value) ? value : Number.POSITIVE_INFINITY;
}

/**
 * Parses a host the way the WHATWG URL "IPv4 parser" does (`2130706433`, `0x7f.1`,
 * `0177.0.0.1`, `127.1` are all 127.0.0.1). Returns the 32-bit address, `undefined` for a
 * domain name, or `null` for a host that ends in a number but is no valid IPv4 address (which
 * the URL standard treats as a failure).
 */
export function parseWhatwgIpv4(host: string): number | undefined | null {
  const parts = host.split('.');
  if (parts.at(-1) === '' && parts.length > 1) parts.pop();
  const last = parts.at(-1) ?? '';
  // "Ends in a number": only such hosts are IPv4; everything else is a domain.
  const endsInNumber = /^[0-9]+$/.test(last) || /^0x[0-9a-f]*$/i.test(last);
  if (!endsInNumber) return undefined;
  if (parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseIpv4Number(part);
    if (n === undefined) return null;
    numbers.push(n);
  }
  const head = numbers.slice(0, -1);
  const tail = numbers.at(-1) ?? 0;
  if (head.some((n) => n > 255)) return null;
  if (tail >= 256 ** (5 - numbers.length)) return null;
  let address = tail;
  head.forEach((n, i) => {
    address += n * 256 ** (3 - i);
  });
  return address >>> 0;
}

/** Parses an IPv6 literal (RFC 4291 §2.2 text form, without brackets) into eight 16-bit groups, or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  let input = text.toLowerCase();
  const zone = input.indexOf('%');
  if (zone >= 0) input = input.slice(0, zone);
  const lastColon = input.lastIndexOf(':');
  const dotted = input.slice(lastColon + 1);
  if (dotted.includes('.')) {
    // An embedded IPv4 tail (::ffff:127.0.0.1) is two groups written in dotted form.
    const octets = dotted.split('.');
    if (octets.length !== 4 || !octets.every((o) => /^[0-9]{1,3}$/.test(o) && Number(o) <= 255)) {
      return undefined;
    }
    const [a = 0, b = 0, c = 0, d = 0] = octets.map(Number);
    input = `${input.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = input.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => Number.parseInt(g, 16));
  };
  const left = parse(halves[0] ?? '');
  if (!left) return undefined;
  if (halves.length === 1) {
    return left.length === 8 ? left : undefined;
  }
  const right = parse(halves[1] ?? '');
  if (!right) return undefined;
  const known = left.length + right.length;
  if (known > 7) return undefined;
  return [...left, ...new Array<number>(8 - known).fill(0), ...right];
}

function embeddedIpv4(groups: number[], at: number): number {
  return (((groups[at] ?? 0) << 16) | (groups[at + 1] ?? 0)) >>> 0;
}

/** Why an IPv6 address is not public unicast (RFC 4291, RFC 6890), or undefined when it is. */
export function blockedIpv6Reason(groups: number[]): string | undefined {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0] = groups;
  const firstSixZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstSixZero && g5 === 0xffff) {
    const reason = blockedIpv4Reason(embeddedIpv4(groups, 6));
    return reason ? `IPv4-mapped ${reason}` : undefined;
  }
  if (groups.every((g) => g === 0)) return 'unspecified (::)';
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return 'loopback (::1)';
  if (firstSixZero && g5 === 0) return 'IPv4-compatible (::/96, deprecated)';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local (fe80::/10)';
  if ((g0 & 0xffc0) === 0xfec0) return 'site-local (fec0::/10, deprecated)';
  if ((g0 & 0xfe00) === 0xfc00) return 'unique local (fc00::/7)';
  if ((g0 & 0xff00) === 0xff00) return 'multicast (ff00::/8)';
  if (g0 === 0x2001 && g1 === 0x0db8) return 'documentation (2001:db8::/32)';
  if (g0 === 0x2001 && g1 === 0) return 'Teredo (2001::/32)';
  if (g0 === 0x2002) {
    // 6to4 carries an IPv4 address in bits 16-47.
    const reason = blockedIpv4Reason(embeddedIpv4(groups, 1));
    if (reason) return `6to4 of ${reason}`;
  }
  // Everything allocated for global unicast lies in 2000::/3; the rest (NAT64 64:ff9b::/96,
  // discard 100::/64, ...) is not a public push service.
  if ((g0 & 0xe000) !== 0x2000) return 'not global unicast (outside 2000::/3)';
  return undefined;
}

/**
 * Checks that a push subscription endpoint is safe to POST to (SSRF guard): `https:` only, no
 * credentials, default port (443) only, not a local name (`localhost`, `*.localhost`, `*.local`,
 * `*.internal`, `*.home.arpa`, single-label names; RFC 6761 §6.3, RFC 6762, RFC 8375) and not an
 * IPv4 or IPv6 literal outside public unicast (RFC 6890, RFC 4291 §2.4), including IPv4
 * written in decimal, octal or hex (parsed as the WHATWG URL standard does) and IPv4-mapped IPv6.
 * Returns the parsed URL.
 *
 * Names are checked, not their DNS answers: a public name that resolves to a private address is
 * not caught here (Workers' outbound fetch does not reach private networks).
 *
 * @throws {PushEndpointError} with the reason.
 */
export function assertPushEndpoint(endpoint: string | URL): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new PushEndpointError('invalid_url', 'Push endpoint is not a valid URL');
  }
  if (url.protocol !== 'https:') throw new PushEndpointError('not_https', 'Push endpoint must use https');
  if (url.username || url.password) {
    throw new PushEndpointError('credentials', 'Push endpoint must not carry credentials');
  }
  if (url.port !== '' && url.port !== '443') {
    throw new PushEndpointError('port', `Push endpoint must use the default https port, not ${url.port}`);
  }

  const hostname = url.hostname.toLowerCase();
  if (hostname.startsWith('[')) {
    const groups = parseIpv6(hostname.slice(1, -1));
    if (!groups) throw new PushEndpointError('invalid_url', 'Push endpoint has an invalid IPv6 address');
    const reason = blockedIpv6Reason(groups);
    if (reason)
      throw new PushEndpointError('private_ipv6', `Push endpoint is a non-public IPv6 address: ${reason}`);
    return url;
  }

  // new URL() already turns 2130706433 or 0x7f.1 into 127.0.0.1; parsing again does not trust that.
  const v4 = parseWhatwgIpv4(hostname);
  if (v4 === null)
    throw new PushEndpointError('invalid_url', 'Push endpoint host is not a valid IPv4 address');
  if (v4 !== undefined) {
    const reason = blockedIpv4Reason(v4);
    if (reason)
      throw new PushEndpointError('private_ipv4', `Push endpoint is a non-public IPv4 address: ${reason}`);
    return url;
  }

  const name = hostname.replace(/\.+$/, '');
  if (LOCAL_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`))) {
    throw new PushEndpointError('local_hostname', `Push endpoint host ${name} is a local name`);
  }
  if (!name.includes('.')) {
    throw new PushEndpointError('single_label_hostname', `Push endpoint host ${name} is a single-label name`);
  }
  return url;
}

/**
 * The push services browsers use (RFC 8030 push resources), as host names or `.suffix`
 * patterns: Chrome and Chromium (FCM), Firefox (Mozilla autopush), Safari (Apple) and Edge
 * (Windows Push Notification Services). The production egress policy for push delivery.
 */
export const KNOWN_PUSH_SERVICES: readonly string[] = [
  'fcm.googleapis.com',
  'android.googleapis.com',
  'updates.push.services.mozilla.com',
  '.push.services.mozilla.com',
  'web.push.apple.com',
  '.push.apple.com',
  '.notify.windows.com',
];

/**
 * Checks an endpoint's host against the push egress allow-list: an exact host name, or a
 * `.suffix` entry matching its subdomains; `*` allows any host {@link assertPushEndpoint}
 * accepts. Workers cannot resolve a name before fetching it (and `fetch` does not say where
 * it connected), so a public name pointing at a private address cannot be caught by
 * resolving; naming the push services is what holds instead.
 *
 * @throws {PushEndpointError} `host_not_allowed`.
 */
export function assertPushHostAllowed(url: URL, allowed: readonly string[]): void {
  if (allowed.includes('*')) return;
  const host = url.hostname.toLowerCase().replace(/\.+$/, '');
  const ok = allowed.some((entry) => {
    const e = entry.toLowerCase();
    return e.startsWith('.') ? host.endsWith(e) && host.length > e.length : host === e;
  });
  if (!ok) {
    throw new PushEndpointError(
      'host_not_allowed',
      `Push endpoint host ${host} is not a known push service (${allowed.join(', ')})`,
    );
  }
}
