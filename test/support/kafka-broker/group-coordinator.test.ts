import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from './error-codes.js';
import { GroupCoordinator, type JoinRequest } from './group-coordinator.js';

function request(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: 1000,
    rebalanceTimeoutMs: 5000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('m') }],
    clientId: 'c',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    ...overrides,
  };
}

describe('GroupCoordinator', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands out a member id with MEMBER_ID_REQUIRED before the first join (JoinGroup v4+)', async () => {
    const coordinator = new GroupCoordinator();
    const first = await coordinator.join(request({ requireKnownMemberId: true }));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^c-/);
    const second = await coordinator.join(request({ memberId: first.memberId, requireKnownMemberId: true }));
    expect(second).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leaderId: first.memberId });
    expect(second.members).toHaveLength(1);
    coordinator.suspend();
  });

  it('elects a leader, picks the protocol by vote and distributes the leader assignment', async () => {
    const coordinator = new GroupCoordinator();
    const a = await coordinator.join(
      request({
        protocols: [
          { name: 'range', metadata: Buffer.from('a') },
          { name: 'rr', metadata: Buffer.from('a') },
        ],
      }),
    );
    expect(a.generationId).toBe(1);
    // b joins: a rebalance starts, and a learns about it from its heartbeat.
    const bJoin = coordinator.join(
      request({
        protocols: [
          { name: 'rr', metadata: Buffer.from('b') },
          { name: 'range', metadata: Buffer.from('b') },
        ],
      }),
    );
    expect(coordinator.heartbeat('g', 1, a.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aJoin = coordinator.join(
      request({
        memberId: a.memberId,
        protocols: [
          { name: 'rr', metadata: Buffer.from('a2') },
          { name: 'range', metadata: Buffer.from('a2') },
        ],
      }),
    );
    const [a2, b] = await Promise.all([aJoin, bJoin]);
    expect(a2).toMatchObject({ generationId: 2, leaderId: a.memberId, protocolName: 'rr' });
    expect(b).toMatchObject({ generationId: 2, leaderId: a.memberId, protocolName: 'rr', members: [] });
    expect(a2.members.map((m) => m.metadata.toString()).sort()).toEqual(['a2', 'b']);

    const bSync = coordinator.sync('g', 2, b.memberId, []);
    const aSync = coordinator.sync('g', 2, a.memberId, [
      { memberId: a.memberId, assignment: Buffer.from('p0') },
      { memberId: b.memberId, assignment: Buffer.from('p1') },
    ]);
    expect((await aSync).assignment.toString()).toBe('p0');
    expect((await bSync).assignment.toString()).toBe('p1');
    expect(coordinator.groups.get('g')?.state).toBe('Stable');
    expect(coordinator.heartbeat('g', 1, a.memberId)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(coordinator.heartbeat('g', 2, 'nobody')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    coordinator.suspend();
  });

  it('refuses a member with no protocol in common', async () => {
    const coordinator = new GroupCoordinator();
    await coordinator.join(request());
    const other = await coordinator.join(
      request({ protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }),
    );
    expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    coordinator.suspend();
  });

  it('expires a member that stops heartbeating and rebalances the rest', async () => {
    vi.useFakeTimers();
    const coordinator = new GroupCoordinator();
    const a = await coordinator.join(request());
    await coordinator.sync('g', 1, a.memberId, [{ memberId: a.memberId, assignment: Buffer.from('all') }]);
    const bJoin = coordinator.join(request());
    const aJoin = coordinator.join(request({ memberId: a.memberId }));
    const [, b] = await Promise.all([aJoin, bJoin]);
    const assignments = [a.memberId, b.memberId].map((memberId) => ({
      memberId,
      assignment: Buffer.from('half'),
    }));
    await Promise.all([
      coordinator.sync('g', 2, a.memberId, assignments),
      coordinator.sync('g', 2, b.memberId, []),
    ]);

    // b heartbeats, a goes silent: after a's 1 s session timeout the group rebalances without it.
    for (let t = 0; t < 5; t++) {
      vi.advanceTimersByTime(300);
      expect(coordinator.heartbeat('g', 2, b.memberId)).toBe(
        t < 3 ? ErrorCode.NONE : ErrorCode.REBALANCE_IN_PROGRESS,
      );
    }
    expect(coordinator.groups.get('g')?.members.has(a.memberId)).toBe(false);
    const b3 = await coordinator.join(request({ memberId: b.memberId }));
    expect(b3).toMatchObject({ generationId: 3, leaderId: b.memberId });
    // Until the leader has sent the assignment, commits wait; then only current members may commit.
    expect(coordinator.canCommit('g', 3, b.memberId)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    await coordinator.sync('g', 3, b.memberId, [{ memberId: b.memberId, assignment: Buffer.from('all') }]);
    expect(coordinator.canCommit('g', 3, a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(coordinator.canCommit('g', 3, b.memberId)).toBe(ErrorCode.NONE);
    coordinator.suspend();
  });

  it('drops members that do not rejoin before the rebalance timeout', async () => {
    vi.useFakeTimers();
    const coordinator = new GroupCoordinator();
    const a = await coordinator.join(request({ sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 2000 }));
    const bJoin = coordinator.join(request({ sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 2000 }));
    vi.advanceTimersByTime(2001);
    const b = await bJoin;
    expect(b).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leaderId: b.memberId });
    expect(coordinator.heartbeat('g', 1, a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    coordinator.suspend();
  });

  it('lets members leave, ending empty with a bumped generation', async () => {
    const coordinator = new GroupCoordinator();
    const a = await coordinator.join(request());
    expect(coordinator.leave('g', a.memberId)).toBe(ErrorCode.NONE);
    expect(coordinator.leave('g', a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(coordinator.groups.get('g')).toMatchObject({ state: 'Empty', generationId: 2 });
    // An empty group accepts commits from standalone consumers (generation -1).
    expect(coordinator.canCommit('g', -1, '')).toBe(ErrorCode.NONE);
  });
});
