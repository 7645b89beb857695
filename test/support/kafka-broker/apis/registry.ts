/** Every API the broker serves, in API key order. ApiVersions advertises exactly this list. */
import type { ApiHandler } from './api.js';
import { apiVersions } from './api-versions.js';
import { createTopics } from './create-topics.js';
import { fetch } from './fetch.js';
import { findCoordinator } from './find-coordinator.js';
import { describeGroups, listGroups } from './group-listing.js';
import { heartbeat, leaveGroup } from './heartbeat-leave-group.js';
import { initProducerId } from './init-producer-id.js';
import { joinGroup } from './join-group.js';
import { listOffsets } from './list-offsets.js';
import { metadata } from './metadata.js';
import { offsetCommit, offsetFetch } from './offsets.js';
import { produce } from './produce.js';
import { saslAuthenticate, saslHandshake } from './sasl.js';
import { syncGroup } from './sync-group.js';

/** The handlers, looked up by API key. */
export const API_HANDLERS: ReadonlyMap<number, ApiHandler> = new Map(
  [
    produce,
    fetch,
    listOffsets,
    metadata,
    offsetCommit,
    offsetFetch,
    findCoordinator,
    joinGroup,
    heartbeat,
    leaveGroup,
    syncGroup,
    describeGroups,
    listGroups,
    saslHandshake,
    apiVersions,
    createTopics,
    initProducerId,
    saslAuthenticate,
  ].map((h) => [h.apiKey, h]),
);
