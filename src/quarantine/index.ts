export * from './identity.js';
export * from './preview.js';
export * from './service.js';
