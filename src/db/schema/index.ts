export * from './intel';
export * from './market';
export * from './notifications';
export * from './platform';
export * from './portfolios';
export * from './reference';
export * from './users';
export * from './watchlists';
