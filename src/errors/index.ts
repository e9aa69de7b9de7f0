export { ERROR_CATALOGUE, statusOf, type ErrorCode } from './catalogue.js';
export { VeilError, isVeilError } from './veil-error.js';
export { closestName } from './closest-name.js';
