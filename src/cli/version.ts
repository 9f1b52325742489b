// Postern's version, as `postern --version` and the admin API's OpenAPI document give it.
export const POSTERN_VERSION = '0.1.0';
