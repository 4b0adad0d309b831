export { type AuthResult, CryptoOrchestratorClient } from './client';
export * from './errors';
export * from './generated';
export { LiveConnection, type LiveMessage, type LiveOptions } from './live';
export type { CallOptions, ClientOptions, Tokens } from './transport';
export { VERSION } from './version';
