export { stackUp, stackDown, stackStatus, endpointsOf, stackDirOf } from './stack';
export type { StackOptions, StackState, StackEndpoints, StackStatus } from './stack';
export { freePort, isPortFree } from './ports';
export { startPrivateStack } from './private-stack';
export type { PrivateStack } from './private-stack';
