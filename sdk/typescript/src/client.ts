import { Namespaces, SHAPES } from './generated';
import { LiveConnection, type LiveOptions } from './live';
import {
  type CallArgs,
  type CallOptions,
  type ClientOptions,
  HttpTransport,
  type OperationSpec,
  type Tokens,
} from './transport';

const LOGIN: OperationSpec = {
  method: 'POST',
  path: '/api/v1/auth/login',
  response: 'json',
  unwrap: false,
  listKey: null,
  bodyType: 'application/json',
  tf: 'totp_code',
};

/**
 * The Meridian API client, under the name seed 002 documents. Every operation of
 * `/openapi.json` is a method of a namespace (`client.bots.list()`, `client.dex.getQuote()`,
 * `client.portfolios.listAll()`...); `request()` reaches any path by hand.
 */
export class CryptoOrchestratorClient extends Namespaces {
  readonly transport: HttpTransport;

  constructor(options: ClientOptions) {
    const transport = new HttpTransport(options, SHAPES);
    super(transport);
    this.transport = transport;
  }

  /**
   * Signs in with email and password (and a TOTP code when two-factor is on); later calls
   * carry the access token, refreshed with refresh-token rotation when it expires.
   */
  async authenticate(email: string, password: string, totpCode?: string): Promise<AuthResult> {
    const body = await this.transport.call(LOGIN, {
      body: { email, password, ...(totpCode ? { totp_code: totpCode } : {}) },
    });
    this.transport.acceptAuth(body);
    return body as AuthResult;
  }

  /** The tokens in use (to keep them between runs), or null. */
  get tokens(): Tokens | null {
    return this.transport.currentTokens();
  }

  /** Any path by hand: `request('GET', '/api/v1/assets/{asset_id}', { path: { asset_id: 'BTC' } })`. */
  request<T = unknown>(method: string, path: string, args: CallArgs = {}, options?: CallOptions): Promise<T> {
    return this.transport.call(
      { method, path, response: 'json', unwrap: true, listKey: null, bodyType: 'application/json' },
      args,
      options,
    ) as Promise<T>;
  }

  /** A live topic: `client.live('/ws/market-data', { symbols: ['BTC/USD'] })`. */
  live(path: string, options?: LiveOptions): LiveConnection {
    return new LiveConnection(this.transport, path, options);
  }
}

export interface AuthResult {
  access_token: string;
  refresh_token?: string;
  token_type: 'bearer';
  expires_in: number;
  session_id: string;
  user_id: string;
  user?: { id: string; email: string; [key: string]: unknown };
  [key: string]: unknown;
}
