export { decode } from './decode';
export type { Decoded } from './decode';
