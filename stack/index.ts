export { stackUp, stackDown, stackStatus, endpointsOf, stackDirOf } from './stack';
export type { StackOptions, StackState, StackEndpoints, StackStatus } from './stack';
export { freePort, isPortFree } from './ports';
