/**
 * The group coordinator: JoinGroup / SyncGroup / Heartbeat / LeaveGroup semantics of Kafka's classic consumer
 * group protocol, with session timeouts and rebalances. Requests that must wait (a JoinGroup until every member
 * has rejoined, a SyncGroup until the leader has sent the assignment) return promises resolved later.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, type ErrorCodeValue } from './error-codes.js';
import { Group, type GroupProtocol, type JoinResult, type Member, type SyncResult } from './group.js';

/** Tunables of the coordinator. */
export interface GroupCoordinatorOptions {
  /** When set, replaces the session timeout every member asks for (lets tests expire dead members quickly). */
  sessionTimeoutMs?: number;
}

/** The fields of a JoinGroup request the coordinator needs. */
export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+: a member without an id first gets one with MEMBER_ID_REQUIRED (KIP-394). */
  requireKnownMemberId: boolean;
}

const EMPTY = Buffer.alloc(0);

function joinError(errorCode: ErrorCodeValue, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolName: null, leaderId: '', memberId, members: [] };
}

/** All consumer groups of the broker. Groups and their members survive {@link suspend}/{@link resume}. */
export class GroupCoordinator {
  readonly groups = new Map<string, Group>();
  #options: GroupCoordinatorOptions;
  #running = true;

  constructor(options: GroupCoordinatorOptions = {}) {
    this.#options = options;
  }

  /** Handles JoinGroup; resolves when the join round the member takes part in ends. */
  join(req: JoinRequest): Promise<JoinResult> {
    if (req.groupId === '') return Promise.resolve(joinError(ErrorCode.INVALID_GROUP_ID));
    if (req.sessionTimeoutMs <= 0) return Promise.resolve(joinError(ErrorCode.INVALID_SESSION_TIMEOUT));
    let group = this.groups.get(req.groupId);
    if (group === undefined) {
      group = new Group(req.groupId);
      this.groups.set(req.groupId, group);
    }
    if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    }
    if (req.memberId === '') {
      const memberId = `${req.clientId}-${randomUUID()}`;
      if (req.requireKnownMemberId) {
        group.pendingMemberIds.add(memberId);
        return Promise.resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
      }
      return this.#addMember(group, memberId, req);
    }
    if (group.pendingMemberIds.delete(req.memberId)) return this.#addMember(group, req.memberId, req);
    const member = group.members.get(req.memberId);
    if (member === undefined) return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
    // A known member rejoining always starts (or joins) a round: simpler than Kafka's shortcut for unchanged
    // followers, and always correct because every member ends up with a fresh assignment.
    member.protocols = req.protocols;
    member.sessionTimeoutMs = this.#options.sessionTimeoutMs ?? req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    return this.#awaitJoin(group, member);
  }

  #addMember(group: Group, memberId: string, req: JoinRequest): Promise<JoinResult> {
    const member: Member = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: this.#options.sessionTimeoutMs ?? req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocols: req.protocols,
      assignment: EMPTY,
      awaitingJoin: null,
      awaitingSync: null,
      sessionTimer: null,
    };
    if (group.members.size === 0) group.protocolType = req.protocolType;
    group.members.set(memberId, member);
    return this.#awaitJoin(group, member);
  }

  #awaitJoin(group: Group, member: Member): Promise<JoinResult> {
    const result = new Promise<JoinResult>((resolve) => {
      member.awaitingJoin = resolve;
    });
    // While parked in a join round the member cannot heartbeat; the round's deadline governs it instead.
    this.#clearSession(member);
    if (group.state !== 'PreparingRebalance') this.#prepareRebalance(group);
    this.#tryCompleteJoin(group);
    return result;
  }

  #prepareRebalance(group: Group): void {
    if (group.state === 'CompletingRebalance') {
      for (const m of group.members.values())
        this.#replySync(m, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    }
    group.state = 'PreparingRebalance';
    this.#scheduleJoinDeadline(group);
  }

  #scheduleJoinDeadline(group: Group): void {
    if (group.joinDeadline !== null) clearTimeout(group.joinDeadline);
    if (!this.#running) return;
    group.joinDeadline = setTimeout(() => this.#completeJoin(group), group.rebalanceTimeoutMs());
    group.joinDeadline.unref();
  }

  #tryCompleteJoin(group: Group): void {
    if (group.state === 'PreparingRebalance' && group.allMembersJoined()) this.#completeJoin(group);
  }

  /** Ends a join round: members that did not rejoin are dropped, then a new generation starts. */
  #completeJoin(group: Group): void {
    if (group.joinDeadline !== null) clearTimeout(group.joinDeadline);
    group.joinDeadline = null;
    for (const m of [...group.members.values()]) {
      if (m.awaitingJoin === null) this.#removeMember(group, m);
    }
    group.generationId += 1;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocolName = null;
      group.leaderId = null;
      return;
    }
    group.protocolName = group.selectProtocol();
    if (group.leaderId === null || !group.members.has(group.leaderId)) {
      group.leaderId = group.members.keys().next().value ?? null;
    }
    group.state = 'CompletingRebalance';
    const everyone = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: group.metadataFor(m),
    }));
    for (const m of group.members.values()) {
      const reply = m.awaitingJoin;
      m.awaitingJoin = null;
      m.assignment = EMPTY;
      this.#touch(group, m);
      reply?.({
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolName: group.protocolName,
        leaderId: group.leaderId ?? '',
        memberId: m.memberId,
        members: m.memberId === group.leaderId ? everyone : [],
      });
    }
  }

  /** Handles SyncGroup; the leader's request carries every member's assignment. */
  sync(
    groupId: string,
    generationId: number,
    memberId: string,
    assignments: { memberId: string; assignment: Buffer }[],
  ): Promise<SyncResult> {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    const fail = (errorCode: ErrorCodeValue) => Promise.resolve({ errorCode, assignment: EMPTY });
    if (group === undefined || member === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    if (group.state === 'PreparingRebalance') return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    this.#touch(group, member);
    if (group.state === 'Stable')
      return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
    const result = new Promise<SyncResult>((resolve) => {
      member.awaitingSync = resolve;
    });
    if (memberId === group.leaderId) {
      const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      group.state = 'Stable';
      for (const m of group.members.values()) {
        m.assignment = byMember.get(m.memberId) ?? EMPTY;
        this.#replySync(m, { errorCode: ErrorCode.NONE, assignment: m.assignment });
      }
    }
    return result;
  }

  #replySync(member: Member, result: SyncResult): void {
    const reply = member.awaitingSync;
    member.awaitingSync = null;
    reply?.(result);
  }

  /** Handles Heartbeat: REBALANCE_IN_PROGRESS tells a member of the current generation to rejoin. */
  heartbeat(groupId: string, generationId: number, memberId: string): ErrorCodeValue {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.#touch(group, member);
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** Handles one member of a LeaveGroup request; the group rebalances without it. */
  leave(groupId: string, memberId: string): ErrorCodeValue {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.#evict(group, member);
    return ErrorCode.NONE;
  }

  /**
   * Whether OffsetCommit may write for this member, following Kafka's checks: a generation of -1 on an empty
   * group is a standalone consumer using Kafka only for offset storage; otherwise the member must belong to
   * the current generation, and commits are refused while the leader's assignment is pending.
   */
  canCommit(groupId: string, generationId: number, memberId: string): ErrorCodeValue {
    const group = this.groups.get(groupId);
    if (generationId < 0 && (group === undefined || group.state === 'Empty')) return ErrorCode.NONE;
    if (group === undefined) return ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.#touch(group, member);
    return ErrorCode.NONE;
  }

  /** Removes a member (left or expired) and lets the rest of the group rebalance. */
  #evict(group: Group, member: Member): void {
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingJoin = null;
    this.#replySync(member, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    this.#removeMember(group, member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.#prepareRebalance(group);
    this.#tryCompleteJoin(group);
  }

  #removeMember(group: Group, member: Member): void {
    this.#clearSession(member);
    group.members.delete(member.memberId);
  }

  /** Restarts the member's session timer: it expires unless the member heartbeats again in time. */
  #touch(group: Group, member: Member): void {
    this.#clearSession(member);
    if (!this.#running) return;
    member.sessionTimer = setTimeout(() => {
      if (group.members.get(member.memberId) === member) this.#evict(group, member);
    }, member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  #clearSession(member: Member): void {
    if (member.sessionTimer !== null) clearTimeout(member.sessionTimer);
    member.sessionTimer = null;
  }

  /**
   * Stops all timers and forgets parked requests, whose connections are gone: the broker is down. Members
   * stay, as a restarted Kafka broker reloads its groups from `__consumer_offsets`.
   */
  suspend(): void {
    this.#running = false;
    for (const group of this.groups.values()) {
      if (group.joinDeadline !== null) clearTimeout(group.joinDeadline);
      group.joinDeadline = null;
      for (const m of group.members.values()) {
        this.#clearSession(m);
        m.awaitingJoin = null;
        m.awaitingSync = null;
      }
    }
  }

  /** Restarts session timers from now, as Kafka does for every member of a group it loads. */
  resume(): void {
    this.#running = true;
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) this.#touch(group, m);
      if (group.state === 'PreparingRebalance') this.#scheduleJoinDeadline(group);
    }
  }
}
