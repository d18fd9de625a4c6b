export { listKeys as default } from './keys.js';
