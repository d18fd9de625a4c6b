export { revokeKey as default } from './keys.js';
