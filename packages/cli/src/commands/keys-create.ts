export { createKey as default } from './keys.js';
