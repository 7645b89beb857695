import type { FlowRecord } from '../../core/flow-record.js';
import { type RecordScope, showValue } from './decode-context.js';
import {
  isUnset,
  type JsonObject,
  readAddress,
  readCount,
  readOptionalInt,
  readOptionalText,
  readPort,
  readProtocol,
  readTime,
} from './json-fields.js';

/**
 * Epoch ms of a tapwatch time field: a number is milliseconds by contract (no guessing by
 * magnitude, which would misread a legitimately small value); text may be ISO 8601.
 */
function readMs(record: JsonObject, key: 'start' | 'end', scope: RecordScope): number {
  const value = record[key];
  if (typeof value !== 'number') return readTime(scope, value, key);
  if (!Number.isFinite(value) || value < 0)
    scope.fail('wrong_type', key, `expected epoch ms >= 0, got ${showValue(value)}`);
  return value;
}

/**
 * The FlowRecord of tapwatch's own JSON (the FlowRecord interface serialised, e.g. by the
 * re-keying step that routes flows by segment). Counters are taken as already scaled; `source` is
 * replaced by this message's position; a `segment` set upstream is kept.
 */
export function decodeTapwatchRecord(record: JsonObject, scope: RecordScope): FlowRecord {
  const start = readMs(record, 'start', scope);
  const end = isUnset(record.end) ? start : readMs(record, 'end', scope);
  const flow: FlowRecord = {
    start,
    end: Math.max(end, start),
    srcIp: readAddress(scope, record.srcIp, 'srcIp'),
    dstIp: readAddress(scope, record.dstIp, 'dstIp'),
    srcPort: readPort(scope, record.srcPort, 'srcPort'),
    dstPort: readPort(scope, record.dstPort, 'dstPort'),
    proto: readProtocol(scope, record.proto, 'proto'),
    bytesFwd: readCount(scope, record.bytesFwd, 'bytesFwd'),
    pktsFwd: readCount(scope, record.pktsFwd, 'pktsFwd'),
    bytesRev: readCount(scope, record.bytesRev, 'bytesRev'),
    pktsRev: readCount(scope, record.pktsRev, 'pktsRev'),
    tcpFlags: readOptionalInt(scope, record.tcpFlags, 'tcpFlags', 255) ?? 0,
    source: scope.source(),
  };
  const fwd = readOptionalInt(scope, record.tcpFlagsFwd, 'tcpFlagsFwd', 255);
  if (fwd !== undefined) flow.tcpFlagsFwd = fwd;
  const rev = readOptionalInt(scope, record.tcpFlagsRev, 'tcpFlagsRev', 255);
  if (rev !== undefined) flow.tcpFlagsRev = rev;
  const rate = readOptionalInt(scope, record.samplingRate, 'samplingRate', Number.MAX_SAFE_INTEGER);
  if (rate !== undefined && rate > 0) flow.samplingRate = rate;
  const exporter = readOptionalText(scope, record.exporter, 'exporter');
  if (exporter !== undefined) flow.exporter = exporter;
  const vlan = readOptionalInt(scope, record.vlan, 'vlan', 4095);
  if (vlan !== undefined) flow.vlan = vlan;
  const inIf = readOptionalInt(scope, record.inIf, 'inIf', 0xffffffff);
  if (inIf !== undefined) flow.inIf = inIf;
  const outIf = readOptionalInt(scope, record.outIf, 'outIf', 0xffffffff);
  if (outIf !== undefined) flow.outIf = outIf;
  const communityId = readOptionalText(scope, record.communityId, 'communityId');
  if (communityId !== undefined) flow.communityId = communityId;
  const segment = readOptionalText(scope, record.segment, 'segment');
  if (segment !== undefined) flow.segment = segment;
  return flow;
}
