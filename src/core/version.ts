import pkg from '../../package.json';

/** The deployed version, from package.json, reported by the health endpoints and the docs. */
export const VERSION: string = pkg.version;
