// The NATS JetStream side of the event model (RFC 0018), loaded only through
// `@selfheal/events/nats` so the root entry never pulls in the NATS client.

// Events out: the log forwarded to the stream, the file as spool
export {
  createNatsForwarder,
  type NatsForwarder,
  type NatsForwarderOptions,
} from './natsForwarder.js';
// The connection and the stream
export { checkReplicaName, connectNats, type NatsLink, type NatsLinkOptions } from './natsLink.js';
// One replica at a time: the lease on remote probing
export { createLease, type Lease, type LeaseOptions } from './probeLease.js';
// Events in: following the stream, reading it once
export {
  type FollowStreamOptions,
  followStream,
  readStream,
  type StreamEvent,
  type StreamFollower,
} from './streamReader.js';
// Replay of a stream
export {
  isStreamUrl,
  parseStreamUrl,
  replayStream,
  type StreamAddress,
  type StreamReplayOptions,
} from './streamReplay.js';
