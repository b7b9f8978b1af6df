export { startGateway } from './gateway';
export type { Gateway, GatewayOptions } from './gateway';
export { loadOrCreateToken, tokenFile } from './token';
export { liveHub } from './live-hub';
export type { LiveHub } from './live-hub';
export { originAllowed, requestToken, tokenMatches, COOKIE_NAME } from './auth';
export { serveStatic } from './static-files';
export { kafkaFeed } from './kafka-feed';
export type { KafkaFeed } from './kafka-feed';
